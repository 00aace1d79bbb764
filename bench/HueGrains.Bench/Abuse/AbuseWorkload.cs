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
        var environment = new Dictionary<string, string>
        {
            ["Hue__Dashboard"] = "false", // it profiles every grain call
            ["Logging__LogLevel__HueGrains"] = "Warning",
        };
        await using var silo = SiloProcess.Start("all", await postgres.CreateDatabaseAsync(), $"abuse-{Guid.NewGuid():N}", key, environment);
        await silo.WaitReadyAsync(TimeSpan.FromMinutes(2));
        Console.WriteLine($"    process {silo.ProcessId} on {silo.Http.BaseAddress}");
        try
        {
            await LiveAbuse.RunAsync(report, silo, key);
            // await MqttAbuse.RunAsync(report, silo);  (items 1 and 3)
            // await HttpAbuse.RunAsync(report, silo);  (items 7 and 8)
        }
        finally
        {
            var log = Path.Combine(Path.GetTempPath(), $"abuse-{silo.ProcessId}.log");
            await File.WriteAllTextAsync(log, silo.Output);
            Console.WriteLine($"    the platform's output: {log}");
        }
    }

    /// <summary>Resident memory of the platform process (/proc/&lt;pid&gt;/status), in MiB.</summary>
    public static double RssMiB(SiloProcess silo) =>
        File.ReadLines($"/proc/{silo.ProcessId}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).Single();
}
