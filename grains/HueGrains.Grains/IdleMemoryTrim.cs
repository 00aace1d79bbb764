using System.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HueGrains.Grains;

/// <summary>
/// Gives memory back when the silo goes quiet. A quiet silo allocates little, so the collector has no reason to compact:
/// the heap keeps its busiest size (background collections sweep but leave the holes) long after thousands of dossiers,
/// reports and sensors were deactivated. Looking once a minute (or each collection age, if shorter), a look is quiet when
/// the silo allocated less than its own heap since the previous one. A quiet period gets two compactions that return
/// the free memory to the operating system: at its first look, and once the activations its busy period left have
/// passed their collection age.
/// </summary>
public sealed class IdleMemoryTrim(IOptions<GrainOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var age = options.Value.CollectionAge;
        var every = age < TimeSpan.FromMinutes(1) ? age : TimeSpan.FromMinutes(1);
        // Idle activations go within an age and a quantum of their last call; one look more for the deactivations to finish.
        var quantum = age / 2 < TimeSpan.FromMinutes(1) ? age / 2 : TimeSpan.FromMinutes(1);
        var periods = new QuietPeriods((int)Math.Ceiling((age + quantum) / every) + 1);
        using var timer = new PeriodicTimer(every);
        var allocated = GC.GetTotalAllocatedBytes();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (periods.TrimAfter(quiet: GC.GetTotalAllocatedBytes() - allocated < GC.GetGCMemoryInfo().HeapSizeBytes))
                    Trim();
                allocated = GC.GetTotalAllocatedBytes();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A blocking, compacting full collection, large objects included, that decommits what it frees.</summary>
    public static void Trim()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}

/// <summary>Which looks trim: the first quiet one, and the one <paramref name="afterCollection"/> looks into a quiet period.</summary>
public sealed class QuietPeriods(int afterCollection)
{
    private int _quietLooks;

    public bool TrimAfter(bool quiet)
    {
        _quietLooks = quiet ? _quietLooks + 1 : 0;
        return _quietLooks == 1 || _quietLooks == afterCollection;
    }
}
