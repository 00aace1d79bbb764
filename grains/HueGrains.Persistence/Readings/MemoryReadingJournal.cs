using Microsoft.Extensions.Options;

namespace HueGrains.Persistence;

/// <summary>
/// The embedded default: each sensor's newest readings in memory, bounded per sensor
/// (<see cref="HistoryOptions.MemoryReadingsPerSensor"/>). Durable it is not, and it knows duplicates only within
/// that bound: a reading older than everything it keeps counts as new.
/// </summary>
public sealed class MemoryReadingJournal(IOptions<HistoryOptions> options) : IReadingJournal
{
    private readonly Dictionary<string, SortedList<DateTimeOffset, double>> _bySensor = [];
    private readonly Lock _lock = new();

    public Task<IReadOnlyList<Reading>> AppendAsync(string sensorId, SensorKind kind, IReadOnlyList<Reading> readings, CancellationToken ct)
    {
        var stored = new List<Reading>(readings.Count);
        lock (_lock)
        {
            if (!_bySensor.TryGetValue(sensorId, out var history)) _bySensor[sensorId] = history = [];
            foreach (var r in readings)
            {
                if (history.TryAdd(r.At, r.Value)) stored.Add(r);
            }
            while (history.Count > options.Value.MemoryReadingsPerSensor) history.RemoveAt(0);
        }
        return Task.FromResult<IReadOnlyList<Reading>>(stored);
    }

    public Task<IReadOnlyList<Reading>> ReadAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Reading>>(Window(sensorId, from, to).Take(limit).ToList());

    public Task<IReadOnlyList<Reading>> ReadNewestAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Reading>>(Window(sensorId, from, to).TakeLast(limit).ToList());

    public Task<IReadOnlyList<ReadingBucket>> AggregateAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, TimeBucket bucket, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ReadingBucket>>(Window(sensorId, from, to)
            .GroupBy(r => bucket.StartOf(r.At))
            .Select(g => new ReadingBucket(g.Key, g.Count(), g.Min(r => r.Value), g.Max(r => r.Value), g.Average(r => r.Value)))
            .ToList());

    private List<Reading> Window(string sensorId, DateTimeOffset from, DateTimeOffset to)
    {
        lock (_lock)
        {
            return _bySensor.TryGetValue(sensorId, out var history)
                ? history.Where(p => p.Key >= from && p.Key < to).Select(p => new Reading(p.Key, p.Value)).ToList()
                : [];
        }
    }
}
