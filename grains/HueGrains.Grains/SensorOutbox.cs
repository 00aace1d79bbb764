using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HueGrains.Grains;

/// <summary>
/// The silo's per-commune outbox for sensor snapshots. Sensors hand over their newest snapshot; every flush sends
/// one <see cref="SensorEventBatch"/> per commune, so a commune sees one message per flush however many readings
/// arrived. A newer snapshot of a sensor replaces an older one that has not left yet.
/// </summary>
/// <remarks>
/// The dictionaries are never swapped out: a flush removes each snapshot it sends only if it is still the one held
/// (<see cref="ConcurrentDictionary{TKey, TValue}.TryRemove(KeyValuePair{TKey, TValue})"/>), so a post that races
/// with a flush either lands before the removal (and is sent) or after it (and is sent by the next flush); none is
/// written into a dictionary that nobody reads any more.
/// </remarks>
public sealed partial class SensorOutbox : BackgroundService
{
    /// <summary>
    /// The commune's own flush interval (<see cref="CommuneGrain.FlushInterval"/>). Each flush is a stream message per
    /// commune with news (40 under load): 1,600 a second at 25 ms, half as many at 50 ms, for at most 25 ms more
    /// before a commune sees a reading.
    /// </summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);

    private readonly Func<string, SensorEventBatch, Task> _publish;
    private readonly ILogger<SensorOutbox> _log;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, SensorSnapshot>> _pending = new();

    public SensorOutbox(IClusterClient client, ILogger<SensorOutbox> log)
        : this((commune, batch) => client.GetStreamProvider(HueStreams.Provider)
            .GetStream<SensorEventBatch>(StreamId.Create(HueStreams.SensorEvents, commune)).OnNextAsync(batch), log)
    {
    }

    /// <summary>For tests: publishes each commune's batch with <paramref name="publish"/> instead of the stream.</summary>
    internal SensorOutbox(Func<string, SensorEventBatch, Task> publish, ILogger<SensorOutbox> log) => (_publish, _log) = (publish, log);

    public void Post(string commune, SensorSnapshot snapshot) =>
        _pending.GetOrAdd(commune, static _ => new()).AddOrUpdate(snapshot.EntityId, static (_, posted) => posted,
            static (_, held, posted) => held.Version >= posted.Version ? held : posted, snapshot);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushAsync();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await FlushAsync(); // what is left when the silo stops
    }

    public async Task FlushAsync()
    {
        foreach (var (commune, held) in _pending)
        {
            var due = new List<SensorSnapshot>();
            foreach (var entry in held)
            {
                if (held.TryRemove(entry)) due.Add(entry.Value); // unless a newer one replaced it meanwhile: next flush
            }
            if (due.Count == 0) continue;
            var batch = new SensorEventBatch(due);
            try
            {
                await _publish(commune, batch);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Keep them for the next flush; a newer snapshot posted meanwhile wins. Reconcile repairs the rest.
                LogPublishFailed(_log, commune, batch.Sensors.Count, ex);
                foreach (var snapshot in batch.Sensors) Post(commune, snapshot);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Publishing {Count} sensor snapshots to commune {Commune} failed; retrying on the next flush")]
    private static partial void LogPublishFailed(ILogger log, string commune, int count, Exception ex);
}
