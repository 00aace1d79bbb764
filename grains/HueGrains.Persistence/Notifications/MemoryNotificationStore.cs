namespace HueGrains.Persistence;

/// <summary>The embedded mode's notifications: in one grain, like the memory projections, answering as PostgreSQL does.</summary>
public sealed class MemoryNotificationStore(IGrainFactory grains) : INotificationStore
{
    private IMemoryNotificationsGrain Rows => grains.GetGrain<IMemoryNotificationsGrain>(0);

    public Task SetHomeAsync(string citizenId, string commune, CancellationToken ct) => Rows.SetHome(citizenId, commune);
    public Task FollowAsync(string citizenId, string feedbackId, CancellationToken ct) => Rows.Follow(citizenId, feedbackId, true);
    public Task UnfollowAsync(string citizenId, string feedbackId, CancellationToken ct) => Rows.Follow(citizenId, feedbackId, false);
    public Task<IReadOnlyList<CitizenPlace>> PlacesAsync(string citizenId, CancellationToken ct) => Rows.Places(citizenId);
    public Task<bool> AddPlaceAsync(string citizenId, CitizenPlace place, int maxPlaces, CancellationToken ct) => Rows.AddPlace(citizenId, place, maxPlaces);
    public Task<bool> RemovePlaceAsync(string citizenId, string placeId, CancellationToken ct) => Rows.RemovePlace(citizenId, placeId);
    public Task<IReadOnlyList<Notification>> InboxAsync(string citizenId, bool unreadOnly, PageCursor? after, int limit, CancellationToken ct) =>
        Rows.Inbox(citizenId, unreadOnly, after, limit);
    public Task<IReadOnlyList<Notification>> SinceAsync(string citizenId, string? afterId, int limit, CancellationToken ct) => Rows.Since(citizenId, afterId, limit);
    public Task<int> MarkReadAsync(string citizenId, IReadOnlyList<string>? ids, PageCursor? upTo, CancellationToken ct) => Rows.MarkRead(citizenId, ids, upTo);
    public Task<long> CheckpointAsync(CancellationToken ct) => Rows.Checkpoint();
    public Task<bool> FanOutAsync(long from, long through, IReadOnlyList<NotificationDraft> drafts, CancellationToken ct) => Rows.FanOut(from, through, drafts);
    public Task<int> ForgetBeforeAsync(DateTimeOffset before, CancellationToken ct) => Rows.Forget(before);
}

[Alias("hue.IMemoryNotificationsGrain")]
public interface IMemoryNotificationsGrain : IGrainWithIntegerKey
{
    [Alias("SetHome")] Task SetHome(string citizenId, string commune);
    [Alias("Follow")] Task Follow(string citizenId, string feedbackId, bool follow);
    [Alias("Places")] Task<IReadOnlyList<CitizenPlace>> Places(string citizenId);
    [Alias("AddPlace")] Task<bool> AddPlace(string citizenId, CitizenPlace place, int maxPlaces);
    [Alias("RemovePlace")] Task<bool> RemovePlace(string citizenId, string placeId);
    [Alias("Inbox")] Task<IReadOnlyList<Notification>> Inbox(string citizenId, bool unreadOnly, PageCursor? after, int limit);
    [Alias("Since")] Task<IReadOnlyList<Notification>> Since(string citizenId, string? afterId, int limit);
    [Alias("MarkRead")] Task<int> MarkRead(string citizenId, IReadOnlyList<string>? ids, PageCursor? upTo);
    [Alias("Checkpoint")] Task<long> Checkpoint();
    [Alias("FanOut")] Task<bool> FanOut(long from, long through, IReadOnlyList<NotificationDraft> drafts);
    [Alias("Forget")] Task<int> Forget(DateTimeOffset before);
}

/// <summary>The same answers as deploy/sql/013: one inbox row per citizen and change, newest-first keyset pages.</summary>
[GrainType("memory-notifications"), KeepAlive] // the only copy in memory mode: never collected
public sealed class MemoryNotificationsGrain : Grain, IMemoryNotificationsGrain
{
    private readonly Dictionary<string, string> _homes = [];
    private readonly Dictionary<string, HashSet<string>> _homesByCommune = [];
    private readonly Dictionary<string, HashSet<string>> _followers = [];
    private readonly Dictionary<string, List<CitizenPlace>> _places = [];
    private readonly Dictionary<string, List<Notification>> _inboxes = [];
    private long _checkpoint;
    private long _lastId;

    public Task SetHome(string citizenId, string commune)
    {
        if (_homes.TryGetValue(citizenId, out var old)) _homesByCommune[old].Remove(citizenId);
        _homes[citizenId] = commune;
        (_homesByCommune.TryGetValue(commune, out var set) ? set : _homesByCommune[commune] = []).Add(citizenId);
        return Task.CompletedTask;
    }

    public Task Follow(string citizenId, string feedbackId, bool follow)
    {
        if (follow) (_followers.TryGetValue(feedbackId, out var set) ? set : _followers[feedbackId] = []).Add(citizenId);
        else _followers.GetValueOrDefault(feedbackId)?.Remove(citizenId);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CitizenPlace>> Places(string citizenId) =>
        Task.FromResult<IReadOnlyList<CitizenPlace>>([.. _places.GetValueOrDefault(citizenId) ?? []]);

    public Task<bool> AddPlace(string citizenId, CitizenPlace place, int maxPlaces)
    {
        var places = _places.TryGetValue(citizenId, out var list) ? list : _places[citizenId] = [];
        if (places.Count >= maxPlaces) return Task.FromResult(false);
        places.Add(place);
        return Task.FromResult(true);
    }

    public Task<bool> RemovePlace(string citizenId, string placeId) =>
        Task.FromResult(_places.GetValueOrDefault(citizenId)?.RemoveAll(p => p.Id == placeId) > 0);

    public Task<IReadOnlyList<Notification>> Inbox(string citizenId, bool unreadOnly, PageCursor? after, int limit) =>
        Task.FromResult<IReadOnlyList<Notification>>([.. (_inboxes.GetValueOrDefault(citizenId) ?? [])
            .Where(n => (!unreadOnly || !n.Read) && (after is null || after.Precedes(n.At, n.Id)))
            .OrderByDescending(n => n.At).ThenByDescending(n => n.Id, StringComparer.Ordinal).Take(limit)]);

    public Task<IReadOnlyList<Notification>> Since(string citizenId, string? afterId, int limit) =>
        Task.FromResult<IReadOnlyList<Notification>>([.. (_inboxes.GetValueOrDefault(citizenId) ?? [])
            .Where(n => afterId is null || string.CompareOrdinal(n.Id, afterId) > 0).OrderBy(n => n.Id, StringComparer.Ordinal).Take(limit)]);

    public Task<int> MarkRead(string citizenId, IReadOnlyList<string>? ids, PageCursor? upTo)
    {
        if (!_inboxes.TryGetValue(citizenId, out var inbox)) return Task.FromResult(0);
        var marked = 0;
        for (var i = 0; i < inbox.Count; i++)
        {
            var n = inbox[i];
            var upToIt = upTo is not null && (upTo.Precedes(n.At, n.Id) || (n.At, n.Id) == (upTo.At, upTo.Id)); // at or before the cursor
            if (n.Read || !(ids?.Contains(n.Id) == true || upToIt)) continue;
            inbox[i] = n with { Read = true };
            marked++;
        }
        return Task.FromResult(marked);
    }

    public Task<long> Checkpoint() => Task.FromResult(_checkpoint);

    public Task<bool> FanOut(long from, long through, IReadOnlyList<NotificationDraft> drafts)
    {
        if (from != _checkpoint) return Task.FromResult(false);
        foreach (var d in drafts)
        {
            foreach (var citizen in Audience(d)) // distinct; a batch runs once (the checkpoint refuses a re-run)
            {
                var inbox = _inboxes.TryGetValue(citizen, out var list) ? list : _inboxes[citizen] = [];
                inbox.Add(new Notification(EntryIds.Of(++_lastId), d.At, d.Kind, d.EntityId, d.Commune, d.TitleVi, d.TitleEn, false));
            }
        }
        _checkpoint = through;
        return Task.FromResult(true);
    }

    public Task<int> Forget(DateTimeOffset before)
    {
        var forgotten = 0;
        foreach (var (citizen, inbox) in _inboxes)
        {
            forgotten += inbox.RemoveAll(n => n.At < before);
            if (inbox.Count == 0) _inboxes.Remove(citizen);
        }
        return Task.FromResult(forgotten);
    }

    private IEnumerable<string> Audience(NotificationDraft d)
    {
        if (d.Kind != NotificationKinds.Alert) return _followers.GetValueOrDefault(d.EntityId) ?? [];
        var living = d.Commune is null ? [] : _homesByCommune.GetValueOrDefault(d.Commune) ?? [];
        var near = d.Latitude is not { } lat || d.Longitude is not { } lon ? []
            : _places.Where(p => p.Value.Any(x => GeoDistance.Meters(x.Latitude, x.Longitude, lat, lon) <= x.Radius)).Select(p => p.Key);
        return living.Union(near);
    }
}
