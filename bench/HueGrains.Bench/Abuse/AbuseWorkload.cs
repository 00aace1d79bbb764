using System.Globalization;
using System.Security.Cryptography;
using HueGrains.Testing;

namespace HueGrains.Bench.Abuse;

/// <summary>
/// Issue 14's attacks re-run against the shipped executable (one process, role all, durable PostgreSQL), each on
/// loopback and bounded. The figures before the fixes are the issue's; each figure's name quotes it.
/// </summary>
public static class AbuseWorkload
{
    public static async Task RunAsync(Report report, ThrowawayPostgres postgres)
    {
        Console.WriteLine("Abuse: issue 14's attacks against the shipped platform");
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var mqttPort = LoopbackPorts.Free();
        var environment = new Dictionary<string, string>
        {
            ["Hue__Mqtt__Port"] = mqttPort.ToString(CultureInfo.InvariantCulture),
            ["Hue__Dashboard"] = "false", // not needed by this workload
            ["Logging__LogLevel__HueGrains"] = "Warning",
        };
        await using var silo = SiloProcess.Start("all", await postgres.CreateDatabaseAsync(), $"abuse-{Guid.NewGuid():N}", key, environment);
        await silo.WaitReadyAsync(TimeSpan.FromMinutes(2));
        Console.WriteLine($"    process {silo.ProcessId} on {silo.Http.BaseAddress}");
        try
        {
            await LiveAbuse.RunAsync(report, silo, key);
            await MqttAbuse.RunAsync(report, silo, mqttPort, async () => (long)await ActivationsAsync(silo, "sensor"), () => HeapBytesAsync(silo));
            await HttpAbuse.RunAsync(report, silo, key);
        }
        finally
        {
            var log = Path.Combine(Path.GetTempPath(), $"abuse-{silo.ProcessId}.log");
            await File.WriteAllTextAsync(log, silo.Output);
            Console.WriteLine($"    the platform's output: {log}");
        }
    }

    /// <summary>Activations of one grain type created so far (<c>orleans_catalog_activation_created_total</c>, from the scrape port).</summary>
    public static async Task<double> ActivationsAsync(SiloProcess silo, string grainType) =>
        Sum(await silo.MetricsAsync(), "orleans_catalog_activation_created_total{", $"grain_type=\"{grainType}\"");

    /// <summary>The managed heap after the last collection, summed over generations.</summary>
    public static async Task<double> HeapBytesAsync(SiloProcess silo) =>
        Sum(await silo.MetricsAsync(), "dotnet_gc_last_collection_heap_size_bytes{", "") is > 0 and var heap ? heap
            : Sum(await silo.MetricsAsync(), "process_runtime_dotnet_gc_heap_size_bytes{", "");

    private static double Sum(string metrics, string prefix, string label) => metrics.Split('\n')
        .Where(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));

    /// <summary>Resident memory of the platform process (/proc/&lt;pid&gt;/status), in MiB.</summary>
    public static double RssMiB(SiloProcess silo) =>
        File.ReadLines($"/proc/{silo.ProcessId}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).Single();
}
