namespace HueGrains;

/// <summary>History resolution: raw readings, or buckets aligned to Asia/Ho_Chi_Minh local time (UTC+7).</summary>
public enum TimeBucket { Raw, Minute, Hour, Day }

[GenerateSerializer, Immutable, Alias("hue.ReadingBucket")]
public sealed record ReadingBucket(
    [property: Id(0)] DateTimeOffset Start,
    [property: Id(1)] long Count,
    [property: Id(2)] double Min,
    [property: Id(3)] double Max,
    [property: Id(4)] double Mean);

/// <summary>
/// A window of a sensor's history. Raw readings come oldest first, at most <c>limit</c>; when more remain,
/// <see cref="NextFrom"/> is the <c>from</c> of the next page.
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.SensorHistory")]
public sealed record SensorHistory(
    [property: Id(0)] string SensorId,
    [property: Id(1)] TimeBucket Bucket,
    [property: Id(2)] DateTimeOffset From,
    [property: Id(3)] DateTimeOffset To,
    [property: Id(4)] IReadOnlyList<Reading>? Readings,
    [property: Id(5)] IReadOnlyList<ReadingBucket>? Buckets,
    [property: Id(6)] DateTimeOffset? NextFrom);

public static class TimeBuckets
{
    /// <summary>Buckets start at local (UTC+7) boundaries: a day bucket begins at midnight in Huế.</summary>
    public static readonly DateTimeOffset Origin = new(2000, 1, 1, 0, 0, 0, HueLocalTime.Offset);

    public static TimeSpan Width(this TimeBucket bucket) => bucket switch
    {
        TimeBucket.Minute => TimeSpan.FromMinutes(1),
        TimeBucket.Hour => TimeSpan.FromHours(1),
        TimeBucket.Day => TimeSpan.FromDays(1),
        _ => TimeSpan.Zero,
    };

    public static DateTimeOffset StartOf(this TimeBucket bucket, DateTimeOffset at)
    {
        var width = bucket.Width().Ticks;
        var offset = (at - Origin).Ticks;
        return Origin.AddTicks(offset - (((offset % width) + width) % width)).ToOffset(TimeSpan.Zero);
    }
}
