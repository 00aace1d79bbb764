using System.Diagnostics;
using System.Globalization;

namespace HueGrains.Bench;

/// <summary>CPU and allocations spent during one load run: this process (platform + load generator) and PostgreSQL's processes.</summary>
public sealed record Costs(double ProcessCpuSeconds, double PostgresCpuSeconds, long AllocatedBytes, int Gen0, int Gen2, double WallSeconds);

/// <summary>Counters that say where the time of a workload goes (Linux /proc; PostgreSQL counted over every `postgres` process).</summary>
public static class CostCounters
{
    public static async Task<(T Result, Costs Costs)> MeasureAsync<T>(Func<Task<T>> run)
    {
        var (cpu, pg, bytes, gen0, gen2) = (ProcessCpu(), PostgresCpu(), GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(2));
        var wall = Stopwatch.StartNew();
        var result = await run();
        return (result, new Costs(ProcessCpu() - cpu, PostgresCpu() - pg, GC.GetTotalAllocatedBytes() - bytes,
            GC.CollectionCount(0) - gen0, GC.CollectionCount(2) - gen2, wall.Elapsed.TotalSeconds));
    }

    private static double ProcessCpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>utime + stime of every process named postgres, in seconds (clock ticks are 100 Hz on Linux).</summary>
    private static double PostgresCpu()
    {
        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                if (close < 0 || !stat.AsSpan(0, close).EndsWith("(postgres")) continue;
                var fields = stat[(close + 2)..].Split(' ');
                ticks += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return ticks / 100;
    }
}
