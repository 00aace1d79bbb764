using HueGrains.Persistence;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace HueGrains.Grains;

/// <summary>A citizen's follows, places and inbox for the HTTP edge, straight from the store (the edge checks whose they are).</summary>
[GrainType("notifications"), StatelessWorker]
public sealed class NotificationsGrain(INotificationStore store, IOptions<NotificationOptions> options) : Grain, INotificationsGrain
{
    public Task Follow(string citizenId, string feedbackId, CancellationToken ct) => store.FollowAsync(citizenId, feedbackId, ct);

    public Task Unfollow(string citizenId, string feedbackId, CancellationToken ct) => store.UnfollowAsync(citizenId, feedbackId, ct);

    public Task<IReadOnlyList<CitizenPlace>> Places(string citizenId, CancellationToken ct) => store.PlacesAsync(citizenId, ct);

    public async Task<CitizenPlace> AddPlace(string citizenId, CitizenPlace place, CancellationToken ct)
    {
        var max = options.Value.MaxPlaces;
        if (!await store.AddPlaceAsync(citizenId, place, max, ct)) throw new HueConflictException($"A citizen watches at most {max} places; remove one first.");
        return place;
    }

    public Task<bool> RemovePlace(string citizenId, string placeId, CancellationToken ct) => store.RemovePlaceAsync(citizenId, placeId, ct);

    public Task<IReadOnlyList<Notification>> Inbox(string citizenId, bool unreadOnly, PageCursor? after, int limit, CancellationToken ct) =>
        store.InboxAsync(citizenId, unreadOnly, after, limit, ct);

    public Task<IReadOnlyList<Notification>> Since(string citizenId, string? afterId, int limit, CancellationToken ct) =>
        store.SinceAsync(citizenId, afterId, limit, ct);

    public Task<int> MarkRead(string citizenId, IReadOnlyList<string>? ids, PageCursor? upTo, CancellationToken ct) =>
        store.MarkReadAsync(citizenId, ids, upTo, ct);
}
