namespace HueGrains.Bench;

/// <summary>
/// How many times and how long each measurement runs; every run is bounded in time. W0's ceilings and W1 run
/// <see cref="IngestRounds"/> rounds: their ratios are taken within a round, and one round spreads by about ±10% on a
/// shared machine, so their medians take more rounds than the other figures' runs.
/// </summary>
public sealed record BenchSettings(int Runs, int IngestRounds, TimeSpan RunLength, int Sensors, int[] MemoryActivations)
{
    public async Task<List<double>> RepeatAsync(Func<TimeSpan, Task<double>> measure)
    {
        var results = new List<double>();
        for (var i = 0; i < Runs; i++) results.Add(await measure(RunLength));
        return results;
    }

    public async Task<List<T>> RepeatAsync<T>(Func<TimeSpan, Task<T>> measure)
    {
        var results = new List<T>();
        for (var i = 0; i < Runs; i++) results.Add(await measure(RunLength));
        return results;
    }
}
