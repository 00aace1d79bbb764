namespace HueGrains.Grains.Domain;

[GenerateSerializer, Alias("hue.StatsBucket")]
public sealed class StatsBucket
{
    [Id(0)] public long Count { get; set; }
    [Id(1)] public double Min { get; set; } = double.PositiveInfinity;
    [Id(2)] public double Max { get; set; } = double.NegativeInfinity;
    [Id(3)] public double Sum { get; set; }

    public void Add(double value)
    {
        Count++;
        Min = Math.Min(Min, value);
        Max = Math.Max(Max, value);
        Sum += value;
    }
}

/// <summary>
/// Count, min, max and mean over a sliding window, kept in a fixed number of time buckets so memory stays bounded
/// whatever the reading rate. The window is exact to one bucket width (the oldest bucket is included whole).
/// Readings are placed by their own timestamp, so a late reading still lands in the bucket it belongs to.
/// </summary>
[GenerateSerializer, Alias("hue.RollingWindow")]
public sealed class RollingWindow
{
    public RollingWindow() { }

    public RollingWindow(TimeSpan bucketWidth, int buckets)
    {
        BucketTicks = bucketWidth.Ticks;
        Buckets = buckets;
    }

    [Id(0)] public long BucketTicks { get; set; }
    [Id(1)] public int Buckets { get; set; }
    [Id(2)] public Dictionary<long, StatsBucket> Data { get; set; } = [];

    public void Add(DateTimeOffset at, double value, DateTimeOffset now)
    {
        var index = at.UtcTicks / BucketTicks;
        var oldest = OldestIndex(now);
        if (index < oldest) return; // older than the window: it belongs to history only
        if (!Data.TryGetValue(index, out var bucket))
        {
            Data[index] = bucket = new StatsBucket();
            // Only a new bucket can push old ones out; most readings land in an existing bucket and skip this.
            foreach (var stale in Data.Keys.Where(k => k < oldest).ToList()) Data.Remove(stale);
        }
        bucket.Add(value);
    }

    public WindowStats Stats(DateTimeOffset now)
    {
        var oldest = OldestIndex(now);
        var total = new StatsBucket();
        foreach (var (index, bucket) in Data)
        {
            if (index < oldest) continue;
            total.Count += bucket.Count;
            total.Min = Math.Min(total.Min, bucket.Min);
            total.Max = Math.Max(total.Max, bucket.Max);
            total.Sum += bucket.Sum;
        }
        return total.Count == 0
            ? new WindowStats(0, null, null, null, 0)
            : new WindowStats(total.Count, total.Min, total.Max, total.Sum / total.Count, total.Sum);
    }

    private long OldestIndex(DateTimeOffset now) => now.UtcTicks / BucketTicks - Buckets + 1;
}

/// <summary>The three windows a sensor answers for: the last minute, hour and day.</summary>
[GenerateSerializer, Alias("hue.RollingStats")]
public sealed class RollingStats
{
    [Id(0)] public RollingWindow Minute { get; set; } = new(TimeSpan.FromSeconds(1), 60);
    [Id(1)] public RollingWindow Hour { get; set; } = new(TimeSpan.FromMinutes(1), 60);
    [Id(2)] public RollingWindow Day { get; set; } = new(TimeSpan.FromMinutes(15), 96);

    public void Add(Reading reading, DateTimeOffset now)
    {
        Minute.Add(reading.At, reading.Value, now);
        Hour.Add(reading.At, reading.Value, now);
        Day.Add(reading.At, reading.Value, now);
    }

    public SensorStatistics Snapshot(DateTimeOffset now) => new(Minute.Stats(now), Hour.Stats(now), Day.Stats(now));
}
