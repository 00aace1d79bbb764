using System.ComponentModel.DataAnnotations;

namespace HueGrains;

/// <summary>What a notification is about.</summary>
public static class NotificationKinds
{
    /// <summary>A report the citizen follows changed (their own reports are followed automatically).</summary>
    public const string ReportUpdate = "report-update";

    /// <summary>A flood or air alert raised in the citizen's home commune or near a place they chose.</summary>
    public const string Alert = "alert";
}

/// <summary>Configuration section <c>Hue:Notifications</c>: the fan-out worker that reads the change feed.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Hue:Notifications";

    /// <summary>How long the worker waits when the feed has nothing new (also the live stream's poll).</summary>
    [Range(10, 60_000)] public int PollMilliseconds { get; set; } = 250;

    /// <summary>At most this many changes read and fanned out per transaction.</summary>
    [Range(1, 100_000)] public int BatchChanges { get; set; } = 2000;

    /// <summary>Places one citizen may watch.</summary>
    [Range(1, 100)] public int MaxPlaces { get; set; } = 10;

    /// <summary>Days an inbox entry is kept; older ones are deleted hourly, so inboxes do not grow with the years.</summary>
    [Range(1, 3650)] public int RetentionDays { get; set; } = 180;
}

/// <summary>One entry of a citizen's inbox, in Vietnamese and English. <see cref="Id"/> orders entries (fixed-width digits).</summary>
[GenerateSerializer, Immutable, Alias("hue.Notification")]
public sealed record Notification(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Kind,
    [property: Id(3)] string EntityId,
    [property: Id(4)] string? Commune,
    [property: Id(5)] string TitleVi,
    [property: Id(6)] string TitleEn,
    [property: Id(7)] bool Read);

/// <summary>A place a citizen watches for alerts: a point and a radius in metres.</summary>
[GenerateSerializer, Immutable, Alias("hue.CitizenPlace")]
public sealed record CitizenPlace(
    [property: Id(0)] string Id,
    [property: Id(1)] string? Name,
    [property: Id(2)] double Latitude,
    [property: Id(3)] double Longitude,
    [property: Id(4)] double Radius,
    [property: Id(5)] DateTimeOffset CreatedAt)
{
    public const double MinRadius = 50;
    public const double MaxRadius = 20_000;
}

/// <summary>
/// A change of the feed turned into a notification for its audience: an alert's audience is the citizens living in its
/// commune and those watching a place within reach of its position; a report update's are the report's followers.
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.NotificationDraft")]
public sealed record NotificationDraft(
    [property: Id(0)] long Position,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Kind,
    [property: Id(3)] string EntityId,
    [property: Id(4)] string? Commune,
    [property: Id(5)] double? Latitude,
    [property: Id(6)] double? Longitude,
    [property: Id(7)] string TitleVi,
    [property: Id(8)] string TitleEn);

/// <summary>A citizen's follows, places and inbox, read and written by keyset in the store (stateless: any silo answers).</summary>
[Alias("hue.INotificationsGrain")]
public interface INotificationsGrain : IGrainWithIntegerKey
{
    [Alias("Follow")] Task Follow(string citizenId, string feedbackId, CancellationToken ct = default);
    [Alias("Unfollow")] Task Unfollow(string citizenId, string feedbackId, CancellationToken ct = default);
    [Alias("Places")] Task<IReadOnlyList<CitizenPlace>> Places(string citizenId, CancellationToken ct = default);

    /// <summary>Adds a place; a citizen watches at most <see cref="NotificationOptions.MaxPlaces"/>.</summary>
    [Alias("AddPlace")] Task<CitizenPlace> AddPlace(string citizenId, CitizenPlace place, CancellationToken ct = default);

    [Alias("RemovePlace")] Task<bool> RemovePlace(string citizenId, string placeId, CancellationToken ct = default);

    /// <summary>Newest first, after the cursor, at most <paramref name="limit"/>.</summary>
    [Alias("Inbox")] Task<IReadOnlyList<Notification>> Inbox(string citizenId, bool unreadOnly, PageCursor? after, int limit, CancellationToken ct = default);

    /// <summary>Entries newer than <paramref name="afterId"/>, oldest first (the live stream).</summary>
    [Alias("Since")] Task<IReadOnlyList<Notification>> Since(string citizenId, string? afterId, int limit, CancellationToken ct = default);

    /// <summary>Marks these entries, and/or every entry at or before <paramref name="upTo"/>, read; returns how many changed.</summary>
    [Alias("MarkRead")] Task<int> MarkRead(string citizenId, IReadOnlyList<string>? ids, PageCursor? upTo, CancellationToken ct = default);
}
