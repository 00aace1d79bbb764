using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HueGrains.Api.Live;

/// <summary>One change a live client sees: the indicators of the city or a commune, or an alert raised, changed or cleared.</summary>
public sealed record LiveEvent(long Sequence, string Type, string Scope, object Data, DateTimeOffset At);

/// <summary>
/// The node's single view of the city's change feed: it reads the City grain a few times a second (one call per node,
/// whatever the number of clients), turns differences into events, keeps the recent ones for resumption with
/// Last-Event-ID and wakes every connected client. Event ids are "{epoch}-{sequence}"; the epoch changes when the
/// process restarts, so a client resuming from another process gets a fresh snapshot instead of a wrong replay.
/// Recent events are kept for <see cref="KeptFor"/> (a reconnecting client is back within seconds; one away longer gets
/// the snapshot), so a quiet node holds none of them.
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
    private const int Kept = 10_000;
    public static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(2);

    private readonly Lock _lock = new();
    private readonly LinkedList<LiveEvent> _recent = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CityView? _last;
    private long _sequence;

    public string Epoch { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    public CityView? Current => _last;

    private IEnumerable<Measurement<double>> IndicatorAge() =>
        _last?.UpdatedAt is { } updated ? [new Measurement<double>((_clock.GetUtcNow() - updated).TotalSeconds)] : [];

    public string IdOf(long sequence) => $"{Epoch}-{sequence}";

    /// <summary>The sequence a Last-Event-ID names, when it comes from this process and is still kept.</summary>
    public long? Resumable(string? lastEventId)
    {
        if (lastEventId?.Split('-') is not [var epoch, var number] || epoch != Epoch || !long.TryParse(number, out var sequence)) return null;
        lock (_lock) return sequence == _sequence || _recent.First is { } first && sequence >= first.Value.Sequence - 1 && sequence <= _sequence ? sequence : null;
    }

    /// <summary>The newest sequence, and a task that completes when there is a newer one.</summary>
    public (long Sequence, Task Changed) Position()
    {
        lock (_lock) return (_sequence, _changed.Task);
    }

    public List<LiveEvent> After(long sequence)
    {
        lock (_lock) return [.. _recent.Where(e => e.Sequence > sequence)];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var view = await _grains.GetGrain<ICityGrain>(Keys.City).Get(stoppingToken);
                ForgetOld();
                Publish(LiveDiff.Between(_last, view));
                _last = view;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPollFailed(_log, ex); // the cluster is starting or a silo is failing over; the next tick retries
            }
        }
    }

    private void ForgetOld()
    {
        var oldest = _clock.GetUtcNow() - KeptFor;
        lock (_lock)
            while (_recent.First is { } first && first.Value.At < oldest) _recent.RemoveFirst();
    }

    private void Publish(List<(string Type, string Scope, object Data)> changes)
    {
        if (changes.Count == 0) return;
        TaskCompletionSource woken;
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            foreach (var (type, scope, data) in changes)
            {
                _recent.AddLast(new LiveEvent(++_sequence, type, scope, data, now));
                if (_recent.Count > Kept) _recent.RemoveFirst();
            }
            woken = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        woken.SetResult();
    }

    [LoggerMessage(LogLevel.Debug, "The live feed could not read the city; retrying")]
    private static partial void LogPollFailed(ILogger log, Exception ex);
}

/// <summary>What changed between two views of the city, as live events.</summary>
public static class LiveDiff
{
    public const string Indicators = "indicators";
    public const string Alert = "alert";

    public static List<(string Type, string Scope, object Data)> Between(CityView? before, CityView now)
    {
        var changes = new List<(string, string, object)>();
        if (before is null || before.Indicators != now.Indicators)
            changes.Add((Indicators, Keys.City, new { scope = Keys.City, indicators = now.Indicators, updatedAt = now.UpdatedAt }));
        var previous = before?.Communes.ToDictionary(c => c.Code) ?? [];
        foreach (var commune in now.Communes)
        {
            if (previous.TryGetValue(commune.Code, out var was) && was.Indicators == commune.Indicators) continue;
            changes.Add((Indicators, commune.Code, new { scope = commune.Code, indicators = commune.Indicators, updatedAt = commune.UpdatedAt }));
        }
        foreach (var (alert, was, cleared) in AlertChanges.Between(before?.ActiveAlerts ?? [], now.ActiveAlerts))
            changes.Add((Alert, alert.Commune, new { change = cleared ? "cleared" : was is null ? "raised" : "updated", alert }));
        return changes;
    }
}
