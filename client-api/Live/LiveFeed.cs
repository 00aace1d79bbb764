using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using HueGrains.Api.Endpoints;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HueGrains.Api.Live;

/// <summary>
/// One change a live client sees: the indicators of the city or a commune, or an alert raised, changed or cleared.
/// <see cref="Position"/> is the change's position in the durable change feed (one change may make several events, e.g.
/// two alert rules of one sensor); <see cref="At"/> is when this node read it.
/// </summary>
public sealed record LiveEvent(long Position, string Type, string Scope, object Data, DateTimeOffset At);

/// <summary>The <c>indicators</c> event: a whole snapshot of the city's (scope <c>hue</c>) or a commune's indicators.</summary>
public sealed record IndicatorsEvent(string Scope, Indicators Indicators, DateTimeOffset? UpdatedAt);

/// <summary>The <c>alert</c> event: <c>raised</c>, <c>updated</c> or <c>cleared</c>, with the alert as the city view lists it.</summary>
public sealed record AlertEvent(string Change, ActiveAlert Alert);

/// <summary>What a resuming client missed: the events to send, and the position they bring it to.</summary>
public sealed record LiveBacklog(IReadOnlyList<LiveEvent> Events, long Through);

/// <summary>
/// The node's single reader of the durable change feed for live clients: it reads the alert, commune and city changes
/// after its cursor a few times a second (one query per node, whatever the number of clients), keeps the recent events
/// for fan-out and resumption, and wakes every connected client. Event ids are feed positions, so a Last-Event-ID issued
/// by another node or before a restart still names the same place: changes older than this node's memory are read from
/// the feed itself. Recent events are kept for <see cref="KeptFor"/> (at most <see cref="Kept"/>), so a quiet node holds none.
/// </summary>
public sealed partial class LiveFeed : BackgroundService
{
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _clock;
    private readonly ILogger<LiveFeed> _log;

    public LiveFeed(IGrainFactory grains, TimeProvider clock, HueMetrics metrics, LiveGate gate, ILogger<LiveFeed> log)
    {
        (_grains, _clock, _log) = (grains, clock, log);
        // Here, not in the gate: the feed starts with the node, so the gauge exists before the first client.
        metrics.Meter.CreateObservableGauge("hue.sse.clients", () => gate.Open, "{client}", "Live (SSE) clients connected to this node.");
        metrics.Meter.CreateObservableGauge("hue.indicator.age", IndicatorAge, "s", "Age of the newest city indicators this node has seen.");
    }

    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    public const int Kept = 10_000;
    public static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A snapshot is labelled with the feed position of a few seconds before it was read: the City's view follows the
    /// feed with a delay (sensor → commune → city), and replaying a change already in the snapshot is harmless (indicators
    /// are whole snapshots, alerts are replaced by sensor and rule), while skipping one is not.
    /// </summary>
    public static readonly TimeSpan SnapshotOverlap = TimeSpan.FromSeconds(5);

    /// <summary>New clients within this time share one read of the City grain.</summary>
    public static readonly TimeSpan SnapshotReuse = TimeSpan.FromSeconds(1);

    private const int PageSize = 500;
    private static readonly IReadOnlyList<string> Types = [ChangeTypes.Alert, ChangeTypes.Commune, ChangeTypes.City];

    private readonly Lock _lock = new();
    private readonly LinkedList<LiveEvent> _recent = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _started;
    private readonly TaskCompletionSource _following = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _read;     // every alert, commune and city change up to here has been read
    private long _floor;    // every event after this position is in _recent
    private long _safeHead; // the feed's head at the previous read: visible to the next read whatever it admits
    private DateTimeOffset? _cityUpdatedAt;
    private Snapshot? _snapshot;
    private Task<Snapshot>? _refreshing;

    private sealed record Snapshot(CityView View, long Position, DateTimeOffset TakenAt);

    /// <summary>Whether the node has found the feed's head and follows it.</summary>
    public bool Following
    {
        get { lock (_lock) return _started; }
    }

    /// <summary>The newest city view this node read (for the city's disclosed totals), if any.</summary>
    public CityView? Current => _snapshot?.View;

    private IEnumerable<Measurement<double>> IndicatorAge() =>
        _cityUpdatedAt is { } updated ? [new Measurement<double>((_clock.GetUtcNow() - updated).TotalSeconds)] : [];

    public static string IdOf(long position) => position.ToString(CultureInfo.InvariantCulture);

    /// <summary>The feed position a Last-Event-ID names; null when it is not one (e.g. an id of the former per-process format).</summary>
    public static long? PositionOf(string? lastEventId) =>
        long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var position) ? position : null;

    /// <summary>The position read through, and a task that completes when there is more.</summary>
    public (long Position, Task Changed) Position()
    {
        lock (_lock) return (_read, _changed.Task);
    }

    public List<LiveEvent> After(long position)
    {
        lock (_lock) return [.. _recent.Where(e => e.Position > position)];
    }

    /// <summary>
    /// What a client that saw everything up to <paramref name="after"/> missed, from memory or, older than memory, from
    /// the feed; null when it should get a snapshot instead: more than <paramref name="max"/> events of its scope behind,
    /// older than the feed keeps, or ahead of the feed (another deployment, or the embedded platform restarted).
    /// </summary>
    public async Task<LiveBacklog?> MissedAsync(long after, string? commune, int max, CancellationToken ct)
    {
        bool Mine(LiveEvent e) => commune is null || e.Scope == commune;
        await _following.Task.WaitAsync(ct); // before, this node cannot tell what it will hold
        long floor, read;
        lock (_lock) (floor, read) = (_floor, _read);
        if (after >= floor)
        {
            // Ahead of this node: the feed tells whether the position exists (this node is a moment behind) or not.
            if (after > read && after > (await ReadAsync(after, null, 1, ct)).Head) return null;
            return After(after).Count(Mine) <= max ? new LiveBacklog([], after) : null;
        }

        var missed = new List<LiveEvent>();
        var cursor = after;
        var limit = Math.Min(max + 1, 1000);
        while (true)
        {
            var page = await ReadAsync(cursor, commune, limit, ct);
            if (cursor == after && (after < page.ForgottenThrough || after > page.Head)) return null;
            foreach (var change in page.Items.TakeWhile(c => c.Position <= floor))
            {
                missed.AddRange(EventsOf(change, DateTimeOffset.MinValue).Where(Mine));
                cursor = change.Position;
            }
            if (missed.Count > max) return null;
            if (page.Items.Count == limit && page.Items[^1].Position <= floor) continue;
            lock (_lock)
            {
                // Read up to the node's memory, unless it forgot more meanwhile: then read on up to its new floor.
                if (_floor == floor) return missed.Count + After(floor).Count(Mine) <= max ? new LiveBacklog(missed, floor) : null;
                floor = _floor;
            }
        }
    }

    /// <summary>The city view for a new client and the feed position to follow it from (see <see cref="SnapshotOverlap"/>).</summary>
    public async Task<(CityView View, long Position)> SnapshotAsync(CancellationToken ct)
    {
        await _following.Task.WaitAsync(ct); // a snapshot is followed from a position this node holds
        Task<Snapshot> pending;
        lock (_lock)
        {
            if (_snapshot is { } fresh && _clock.GetUtcNow() - fresh.TakenAt < SnapshotReuse) return (fresh.View, fresh.Position);
            pending = _refreshing ??= Task.Run(RefreshAsync, CancellationToken.None);
        }
        var taken = await pending.WaitAsync(ct);
        return (taken.View, taken.Position);
    }

    private async Task<Snapshot> RefreshAsync()
    {
        try
        {
            long position;
            var now = _clock.GetUtcNow();
            lock (_lock)
            {
                position = _floor;
                foreach (var e in _recent.TakeWhile(e => e.At <= now - SnapshotOverlap)) position = e.Position;
            }
            var view = await _grains.City().Get();
            var taken = new Snapshot(view, position, now);
            lock (_lock)
            {
                _snapshot = taken;
                if (view.UpdatedAt > (_cityUpdatedAt ?? DateTimeOffset.MinValue)) _cityUpdatedAt = view.UpdatedAt;
            }
            return taken;
        }
        finally
        {
            lock (_lock) _refreshing = null;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        do
        {
            try
            {
                if (!_started) await BeginAsync();
                else await ReadNewAsync(stoppingToken);
                ForgetOld();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPollFailed(_log, ex); // the cluster is starting or a silo is failing over; the next tick retries
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));

        async Task BeginAsync()
        {
            // From the feed's head: what came before is read from the feed by the clients that ask for it.
            var head = (await ReadAsync(0, null, 1, stoppingToken)).Head;
            lock (_lock) (_read, _floor, _safeHead, _started) = (head, head, head, true);
            _following.TrySetResult();
            await SnapshotAsync(stoppingToken); // the indicator age is known before the first client
        }
    }

    private async Task ReadNewAsync(CancellationToken ct)
    {
        while (true)
        {
            var page = await ReadAsync(_read, null, PageSize, ct);
            var now = _clock.GetUtcNow();
            var full = page.Items.Count == PageSize;
            var through = page.Items.Count > 0 ? page.Items[^1].Position : _read;
            // Positions are visible in commit order: nothing admitted can still appear at or below the previous head.
            if (!full) through = Math.Max(through, _safeHead);
            _safeHead = page.Head;
            Publish([.. page.Items.SelectMany(c => EventsOf(c, now))], through);
            if (!full) return;
        }
    }

    private Task<ChangePage> ReadAsync(long after, string? commune, int limit, CancellationToken ct) =>
        _grains.Projections().Changes(new ChangeQuery(after, Types, commune, limit, null), ct);

    private void ForgetOld()
    {
        var oldest = _clock.GetUtcNow() - KeptFor;
        lock (_lock)
        {
            while (_recent.First is { } first && (first.Value.At < oldest || _recent.Count > Kept))
            {
                _floor = first.Value.Position;
                _recent.RemoveFirst();
                // The rest of a change's events go with it: memory holds whole changes.
                while (_recent.First is { } same && same.Value.Position == _floor) _recent.RemoveFirst();
            }
        }
    }

    private void Publish(List<LiveEvent> events, long through)
    {
        TaskCompletionSource woken;
        lock (_lock)
        {
            if (through <= _read && events.Count == 0) return;
            foreach (var e in events) _recent.AddLast(e);
            _read = Math.Max(_read, through);
            foreach (var e in events)
                if (e.Data is IndicatorsEvent { Scope: Keys.City, UpdatedAt: { } updated } && updated > (_cityUpdatedAt ?? DateTimeOffset.MinValue))
                    _cityUpdatedAt = updated;
            woken = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        woken.SetResult();
    }

    /// <summary>
    /// The live events of one change. An alert change carries the sensor as stored with its alert level: each active
    /// alert is raised (first evaluation) or updated; at level 0 each rule the sensor's kind has is cleared.
    /// </summary>
    private List<LiveEvent> EventsOf(ChangeRecord change, DateTimeOffset at)
    {
        try
        {
            return change.Type switch
            {
                ChangeTypes.Commune when ChangesApi.Stored<ChangesApi.CommuneChange>(change) is var c =>
                    [new LiveEvent(change.Position, LiveDiff.Indicators, c.Code, new IndicatorsEvent(c.Code, c.Indicators, c.UpdatedAt), at)],
                ChangeTypes.City when ChangesApi.Stored<ChangesApi.CityChange>(change) is var c =>
                    [new LiveEvent(change.Position, LiveDiff.Indicators, Keys.City, new IndicatorsEvent(Keys.City, c.Indicators, c.UpdatedAt), at)],
                ChangeTypes.Alert => LiveDiff.AlertsOf(ChangesApi.Stored<SensorRow>(change), change.At)
                    .Select(a => new LiveEvent(change.Position, LiveDiff.Alert, a.Alert.Commune, a, at)).ToList(),
                _ => [],
            };
        }
        catch (JsonException ex)
        {
            LogUnreadable(_log, change.Position, change.Type, ex); // one bad record must not stop the feed
            return [];
        }
    }

    [LoggerMessage(LogLevel.Debug, "The live feed could not read the change feed; retrying")]
    private static partial void LogPollFailed(ILogger log, Exception ex);

    [LoggerMessage(LogLevel.Warning, "The live feed skipped change {Position} ({Type}): its data could not be read")]
    private static partial void LogUnreadable(ILogger log, long position, string type, Exception ex);
}

/// <summary>The live events' names, and the alert events of a sensor's alert change.</summary>
public static class LiveDiff
{
    public const string Indicators = "indicators";
    public const string Alert = "alert";

    public static IEnumerable<AlertEvent> AlertsOf(SensorRow sensor, DateTimeOffset at)
    {
        var snapshot = sensor.Snapshot;
        if (sensor.AlertLevel > 0)
        {
            foreach (var a in snapshot.Alerts)
                yield return new AlertEvent(a.RaisedAt == a.UpdatedAt ? "raised" : "updated",
                    new ActiveAlert(sensor.Id, sensor.Commune, sensor.Kind, a.Level, a.Value, a.UpdatedAt, a.Rule, a.Status, a.RaisedAt));
            yield break;
        }
        // Level 0: whatever was active is gone. The change does not say which rules were; every rule of the kind is cleared.
        IEnumerable<string> rules = sensor.Kind == SensorKind.Pm25 ? [AlertRuleNames.Threshold, AlertRuleNames.Pm25Daily] : [AlertRuleNames.Threshold];
        foreach (var rule in rules)
            yield return new AlertEvent("cleared",
                new ActiveAlert(sensor.Id, sensor.Commune, sensor.Kind, 0, snapshot.Latest?.Value ?? 0, at, rule, AlertStatus.Cleared, at));
    }
}
