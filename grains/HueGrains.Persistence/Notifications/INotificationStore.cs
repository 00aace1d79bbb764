namespace HueGrains.Persistence;

/// <summary>
/// Who hears of what (home communes, follows, watched places) and the citizens' inboxes: deploy/sql/013 in PostgreSQL,
/// memory otherwise. The fan-out writes every inbox row of a batch of changes at once, never one call per citizen.
/// </summary>
public interface INotificationStore
{
    /// <summary>The commune whose alerts the citizen hears of (their registered home commune).</summary>
    Task SetHomeAsync(string citizenId, string commune, CancellationToken ct);

    Task FollowAsync(string citizenId, string feedbackId, CancellationToken ct);

    Task UnfollowAsync(string citizenId, string feedbackId, CancellationToken ct);

    Task<IReadOnlyList<CitizenPlace>> PlacesAsync(string citizenId, CancellationToken ct);

    /// <summary>Adds the place unless the citizen already watches <paramref name="maxPlaces"/>; false then.</summary>
    Task<bool> AddPlaceAsync(string citizenId, CitizenPlace place, int maxPlaces, CancellationToken ct);

    Task<bool> RemovePlaceAsync(string citizenId, string placeId, CancellationToken ct);

    Task<IReadOnlyList<Notification>> InboxAsync(string citizenId, bool unreadOnly, PageCursor? after, int limit, CancellationToken ct);

    Task<IReadOnlyList<Notification>> SinceAsync(string citizenId, string? afterId, int limit, CancellationToken ct);

    Task<int> MarkReadAsync(string citizenId, IReadOnlyList<string>? ids, PageCursor? upTo, CancellationToken ct);

    /// <summary>The change-feed position the fan-out has handled.</summary>
    Task<long> CheckpointAsync(CancellationToken ct);

    /// <summary>
    /// Writes the inbox rows of <paramref name="drafts"/> and moves the checkpoint from <paramref name="from"/> to
    /// <paramref name="through"/>, atomically; false (nothing written) when another silo moved it first.
    /// </summary>
    Task<bool> FanOutAsync(long from, long through, IReadOnlyList<NotificationDraft> drafts, CancellationToken ct);

    /// <summary>Deletes inbox entries older than <paramref name="before"/> (retention); returns how many.</summary>
    Task<int> ForgetBeforeAsync(DateTimeOffset before, CancellationToken ct);
}
