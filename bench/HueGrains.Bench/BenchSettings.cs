namespace HueGrains.Bench;

/// <summary>How many times and how long each measurement runs; every run is bounded in time.</summary>
public sealed record BenchSettings(int Runs, TimeSpan RunLength, int Sensors, int[] MemoryActivations)
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
