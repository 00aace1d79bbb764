using HueGrains.Testing;

namespace HueGrains.Bench;

/// <summary>
/// W4 in the shipped silo: its resident memory and managed heap (after a full collection) before and after N sensors
/// are provisioned through the API and sent one reading each, divided by N. Everything a sensor costs is in it: its
/// activation (Orleans' own ~1.9 KB), its state, the commune's snapshot of it, its device-key index entry.
/// </summary>
public static class ShippedMemory
{
    public static async Task RunAsync(Report report, ThrowawayPostgres postgres, int count)
    {
        Console.WriteLine($"W4 memory per active sensor in the shipped silo at {count:N0}");
        await using var silo = await ShippedSilo.StartAsync(postgres, 0);
        await silo.ProvisionAsync(100, "warm"); // communes, the city and the key index active before the first measure
        await Task.Delay(2000);
        await silo.CollectGarbageAsync();
        var (heap, rss) = (await silo.HeapAfterLastCollectionAsync(), ProcessCounters.ResidentBytes(silo.ProcessId));
        await silo.ProvisionAsync(count, "mem");
        await silo.SendOneReadingEachAsync();
        await Task.Delay(3000); // outboxes and commune snapshots settle
        await silo.CollectGarbageAsync();
        var (heapAfter, rssAfter) = (await silo.HeapAfterLastCollectionAsync(), ProcessCounters.ResidentBytes(silo.ProcessId));
        report.Add("W4", $"managed heap per active sensor at {count:N0} (shipped silo)", [(heapAfter - heap) / count], "bytes", "≤ 4 KB");
        report.Add("W4", $"resident memory per active sensor at {count:N0} (shipped silo)", [(rssAfter - rss) / (double)count], "bytes");
        report.Add("W4", $"shipped silo resident memory with {count:N0} active sensors", [rssAfter / 1024.0 / 1024], "MiB");
        if (Environment.GetEnvironmentVariable("HUE_BENCH_GCDUMP") is { Length: > 0 } dump)
            await System.Diagnostics.Process.Start(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump"), ["collect", "-p", silo.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", dump])!.WaitForExitAsync();
    }
}
