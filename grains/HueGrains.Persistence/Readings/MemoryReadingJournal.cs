using Microsoft.Extensions.Options;

namespace HueGrains.Persistence;

/// <summary>The embedded default: each sensor's newest readings in memory, bounded per sensor. Durable it is not.</summary>
public sealed class MemoryReadingJournal(IOptions<HistoryOptions> options) : IReadingJournal
{
    private readonly Dictionary<string, SortedList<DateTimeOffset, double>> _bySensor = [];
    private readonly Lock _lock = new();

    public Task AppendAsync(string sensorId, SensorKind kind, IReadOnlyList<Reading> readings, CancellationToken ct)
    {
        lock (_lock)
        {
            if (!_bySensor.TryGetValue(sensorId, out var history)) _bySensor[sensorId] = history = [];
            foreach (var r in readings) history.TryAdd(r.At, r.Value);
            while (history.Count > options.Value.MemoryReadingsPerSensor) history.RemoveAt(0);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Reading>> ReadAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Reading>>(Window(sensorId, from, to).Take(limit).ToList());

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
