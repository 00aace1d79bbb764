using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HueGrains.Grains;

/// <summary>
/// The silo's per-commune outbox for sensor snapshots. Sensors hand over their newest snapshot; every flush sends
/// one <see cref="SensorEventBatch"/> per commune, so a commune sees one message per flush however many readings
/// arrived. A newer snapshot of a sensor replaces an older one that has not left yet.
/// </summary>
public sealed partial class SensorOutbox(IClusterClient client, ILogger<SensorOutbox> log) : BackgroundService
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(25);

    private ConcurrentDictionary<string, ConcurrentDictionary<string, SensorSnapshot>> _pending = new();

    public void Post(string commune, SensorSnapshot snapshot) =>
        _pending.GetOrAdd(commune, _ => new()).AddOrUpdate(snapshot.EntityId, snapshot,
            (_, held) => held.Version >= snapshot.Version ? held : snapshot);

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
        var due = Interlocked.Exchange(ref _pending, new());
        var provider = client.GetStreamProvider(HueStreams.Provider);
        foreach (var (commune, sensors) in due)
        {
            var batch = new SensorEventBatch([.. sensors.Values]);
            try
            {
                await provider.GetStream<SensorEventBatch>(StreamId.Create(HueStreams.SensorEvents, commune)).OnNextAsync(batch);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Keep them for the next flush; a newer snapshot posted meanwhile wins. Reconcile repairs the rest.
                LogPublishFailed(log, commune, batch.Sensors.Count, ex);
                foreach (var snapshot in batch.Sensors) Post(commune, snapshot);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Publishing {Count} sensor snapshots to commune {Commune} failed; retrying on the next flush")]
    private static partial void LogPublishFailed(ILogger log, string commune, int count, Exception ex);
}
