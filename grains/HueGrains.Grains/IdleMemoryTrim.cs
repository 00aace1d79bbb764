using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HueGrains.Grains;

/// <summary>
/// Gives memory back once idle activations are gone. A silo that goes quiet allocates little, so no full collection
/// runs and the heap stays at its busiest size even after thousands of dossiers, reports and sensors were deactivated.
/// Every collection age, if no full collection has run since the last look, this asks for one.
/// </summary>
public sealed class IdleMemoryTrim(IOptions<GrainOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = options.Value.CollectionAge < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : options.Value.CollectionAge;
        using var timer = new PeriodicTimer(every);
        var fullCollections = GC.CollectionCount(2);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (GC.CollectionCount(2) == fullCollections)
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true); // once per quiet period: a short pause
                fullCollections = GC.CollectionCount(2);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
