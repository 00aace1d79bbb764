using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace HueGrains.Persistence;

/// <summary>Where the per-minute indicator snapshots of the city and its communes are kept.</summary>
public interface IIndicatorStore
{
    Task AppendAsync(IReadOnlyList<IndicatorSample> samples, CancellationToken ct);

    /// <summary>The samples of one scope (or every scope when null) in [from, to), oldest first.</summary>
    Task<IReadOnlyList<IndicatorSample>> ReadAsync(string? scope, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    /// <summary>The last sample of each local day per scope in [from, to).</summary>
    Task<IReadOnlyList<IndicatorSample>> DailyAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    /// <summary>Per scope, sensor kind and hour in [from, to): sensors, mean of the means, highest value.</summary>
    Task<IReadOnlyList<KindHour>> HourlyAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct);
}

/// <summary>The embedded mode's store: the newest samples per scope, bounded.</summary>
public sealed class MemoryIndicatorStore(IOptions<HistoryOptions> options) : IIndicatorStore
{
    private readonly ConcurrentDictionary<string, Queue<IndicatorSample>> _byScope = new();

    public Task AppendAsync(IReadOnlyList<IndicatorSample> samples, CancellationToken ct)
    {
        foreach (var sample in samples)
        {
            var queue = _byScope.GetOrAdd(sample.Scope, _ => new Queue<IndicatorSample>());
            lock (queue)
            {
                queue.Enqueue(sample);
                while (queue.Count > options.Value.MemoryIndicatorSamples) queue.Dequeue();
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<IndicatorSample>> ReadAsync(string? scope, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var queues = scope is null ? [.. _byScope.Values] : _byScope.TryGetValue(scope, out var one) ? [one] : new List<Queue<IndicatorSample>>();
        var result = new List<IndicatorSample>();
        foreach (var queue in queues)
        {
            lock (queue) result.AddRange(queue.Where(s => s.At >= from && s.At < to));
        }
        return Task.FromResult<IReadOnlyList<IndicatorSample>>([.. result.OrderBy(s => s.At)]);
    }

    public async Task<IReadOnlyList<IndicatorSample>> DailyAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        IndicatorAggregation.LastPerDay(await ReadAsync(null, from, to, ct));

    public async Task<IReadOnlyList<KindHour>> HourlyAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        IndicatorAggregation.Hourly(await ReadAsync(null, from, to, ct));
}

/// <summary>Buckets and daily/hourly views computed from samples; the same rules for memory and PostgreSQL.</summary>
public static class IndicatorAggregation
{
    /// <param name="value">Reads the indicator from a sample: exact, or as <see cref="Disclosure"/> publishes it.</param>
    public static List<IndicatorPoint> Points(IEnumerable<IndicatorSample> samples, TimeBucket bucket, Func<IndicatorSample, double?> value) =>
        [.. samples
            .GroupBy(s => bucket == TimeBucket.Raw ? s.At : bucket.StartOf(s.At))
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var values = g.OrderBy(s => s.At).Select(value).ToList();
                var known = values.OfType<double>().ToList();
                return new IndicatorPoint(g.Key, values.Count, known.Count == 0 ? null : known.Min(), known.Count == 0 ? null : known.Max(),
                    known.Count == 0 ? null : Math.Round(known.Average(), 4), values[^1]);
            })];

    public static List<IndicatorSample> LastPerDay(IEnumerable<IndicatorSample> samples) =>
        [.. samples.GroupBy(s => (s.Scope, Day: TimeBucket.Day.StartOf(s.At)))
            .Select(g => g.MaxBy(s => s.At)!)
            .OrderBy(s => s.At).ThenBy(s => s.Scope, StringComparer.Ordinal)];

    public static List<KindHour> Hourly(IEnumerable<IndicatorSample> samples) =>
        [.. samples
            .SelectMany(s => s.Sensors.Select(k => (s.Scope, Hour: TimeBucket.Hour.StartOf(s.At), k)))
            .GroupBy(x => (x.Scope, x.k.Kind, x.Hour))
            .OrderBy(g => g.Key.Hour).ThenBy(g => g.Key.Scope, StringComparer.Ordinal).ThenBy(g => g.Key.Kind)
            .Select(g =>
            {
                var means = g.Select(x => x.k.Mean).OfType<double>().ToList();
                var maxes = g.Select(x => x.k.Max).OfType<double>().ToList();
                return new KindHour(g.Key.Scope, g.Key.Kind, g.Key.Hour, g.Max(x => x.k.Sensors),
                    means.Count == 0 ? null : Math.Round(means.Average(), 3), maxes.Count == 0 ? null : maxes.Max());
            })];
}
