using System.Diagnostics;

namespace HueGrains.Bench;

public sealed record LoadResult(double UnitsPerSecond, double P50Ms, double P99Ms, long Calls, long Failures);

/// <summary>Closed-loop load: workers call as fast as answers come back, or at a fixed total rate when paced.</summary>
public static class Load
{
    /// <param name="call">One call by a worker; returns the units it achieved (readings acked, 1 request…), 0 when it failed.</param>
    public static async Task<LoadResult> RunAsync(TimeSpan duration, int workers, Func<int, long, Task<int>> call, double? unitsPerSecond = null, int unitsPerCall = 1)
    {
        var latencies = new List<double>[workers];
        long units = 0, calls = 0, failures = 0;
        var clock = Stopwatch.StartNew();
        var interval = unitsPerSecond is { } rate ? TimeSpan.FromSeconds(workers * unitsPerCall / rate) : TimeSpan.Zero;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
        {
            var mine = latencies[w] = new List<double>(4096);
            var due = clock.Elapsed + TimeSpan.FromTicks(interval.Ticks * w / Math.Max(1, workers));
            for (long n = 0; clock.Elapsed < duration; n++)
            {
                if (interval > TimeSpan.Zero)
                {
                    if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
                    due += interval;
                }
                var start = Stopwatch.GetTimestamp();
                int done;
                try
                {
                    done = await call(w, n);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or IOException)
                {
                    done = 0;
                }
                if (mine.Count < 1_000_000) mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                Interlocked.Increment(ref calls);
                if (done == 0) Interlocked.Increment(ref failures);
                Interlocked.Add(ref units, done);
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToList();
        return new LoadResult(units / clock.Elapsed.TotalSeconds, Percentile(all, 0.5), Percentile(all, 0.99), calls, failures);
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(p * sorted.Count))];
}
