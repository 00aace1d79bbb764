using HueGrains.Testing;

namespace HueGrains.Bench;

/// <summary>
/// W4 in the shipped silo: its resident memory and managed heap (after a full collection) before and after N sensors
/// are provisioned through the API and sent one reading each, divided by N. Everything a sensor costs is in it: its
/// activation (Orleans' own ~1.9 KB), its state, the commune's snapshot of it, its device-key index entry.
/// </summary>
/// <remarks>
/// The heap after a collection also holds the free space between objects that the collection swept but did not compact
/// (the provisioning burst's garbage that had reached gen2 and the large object heap): no sensor's bytes, reused by
/// later allocations. The live objects per sensor (the heap less that free space, as the runtime reports it for the
/// same collection) are the sensor's own cost; both are reported, and the resident memory is the process's whole cost.
/// </remarks>
public static class ShippedMemory
{
    /// <summary>
    /// Provisioning a million sensors through the API takes most of an hour here, longer than the 15 minutes an idle
    /// activation lives: the sensors provisioned first would be collected before the measure. A city's sensors report
    /// every few minutes and stay active; the bench's report once, so it keeps idle activations longer.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ChangedSettings = new Dictionary<string, string>
    {
        ["Hue__Grains__CollectionAge"] = "04:00:00",
        // A sensor writes its summary at its first reading once 5 to 10 minutes have passed since its last write: after an
        // hour of provisioning, nearly every sensor's one reading also wrote its state (measured: 290 readings/s at
        // 300,000 sensors, 1,274/s at 30,000, whose provisioning took a minute). The write costs time, not memory.
        ["Hue__History__SensorSummaryMinutes"] = "1440",
    };

    public static async Task RunAsync(Report report, ThrowawayPostgres postgres, int count)
    {
        Console.WriteLine($"W4 memory per active sensor in the shipped silo at {count:N0}");
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var silo = await ShippedSilo.StartAsync(postgres, 0, more: ChangedSettings);
        await silo.ProvisionAsync(100, "warm"); // communes, the city and the key index active before the first measure
        await Task.Delay(2000);
        await silo.CollectGarbageAsync();
        var ((heap, free), rss) = (await silo.HeapAfterLastCollectionAsync(), ProcessCounters.ResidentBytes(silo.ProcessId));
        await DumpAsync(silo, "before");
        await silo.ProvisionAsync(count, "mem");
        Console.WriteLine($"    {count:N0} sensors provisioned after {started.Elapsed.TotalMinutes:0.0} min");
        await silo.SendOneReadingEachAsync();
        Console.WriteLine($"    one reading each after {started.Elapsed.TotalMinutes:0.0} min");
        // Outboxes and commune snapshots settle, and the stream caches let go of the provisioning's events: what they hold
        // is the city's last seconds of events (its event rate), not its sensors.
        await Task.Delay(Grains.HueSiloBuilderExtensions.StreamCacheMaxAge + TimeSpan.FromSeconds(5));
        await silo.CollectGarbageAsync();
        var ((heapAfter, freeAfter), rssAfter) = (await silo.HeapAfterLastCollectionAsync(), ProcessCounters.ResidentBytes(silo.ProcessId));
        report.Add("W4", $"live managed objects per active sensor at {count:N0} (shipped silo)", [(heapAfter - freeAfter - (heap - free)) / count], "bytes", "≤ 4 KB");
        report.Add("W4", $"managed heap per active sensor at {count:N0}, its free space included (shipped silo)", [(heapAfter - heap) / count], "bytes");
        report.Add("W4", $"resident memory per active sensor at {count:N0} (shipped silo)", [(rssAfter - rss) / (double)count], "bytes");
        report.Add("W4", $"shipped silo resident memory with {count:N0} active sensors", [rssAfter / 1024.0 / 1024], "MiB");
        report.Add("W4", $"silo activations at {count:N0} (sensors, communes, the city and the service grains)", [await silo.ActivationsAsync()], "count");
        report.Note($"W4 at {count:N0}: provisioned and one reading each in {started.Elapsed.TotalMinutes:0} min; changed for this workload: " +
            string.Join("; ", ChangedSettings.Select(s => $"`{s.Key}={s.Value}`")) + ".");
        await DumpAsync(silo, "after");
    }

    /// <summary>
    /// A heap dump of the silo when HUE_BENCH_GCDUMP names a file: with .dmp, a whole heap by dotnet-dump (read it with
    /// <c>dotnet-dump analyze F -c "dumpheap -stat"</c>); otherwise a sampled .gcdump. The label goes before the extension.
    /// </summary>
    private static async Task DumpAsync(ShippedSilo silo, string label)
    {
        if (Environment.GetEnvironmentVariable("HUE_BENCH_GCDUMP") is not { Length: > 0 } dump) return;
        var whole = dump.EndsWith(".dmp", StringComparison.Ordinal);
        var file = Path.ChangeExtension(dump, $"{label}{Path.GetExtension(dump)}");
        string[] args = whole ? ["collect", "--type", "Heap"] : ["collect"];
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", whole ? "dotnet-dump" : "dotnet-gcdump");
        await System.Diagnostics.Process.Start(tool, [.. args, "-p", silo.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", file])!.WaitForExitAsync();
    }
}
