namespace HueGrains;

[GenerateSerializer, Immutable, Alias("hue.Reading")]
public sealed record Reading([property: Id(0)] DateTimeOffset At, [property: Id(1)] double Value);

public enum ReadingStatus { Accepted, Duplicate, Rejected }

[GenerateSerializer, Immutable, Alias("hue.ReadingOutcome")]
public sealed record ReadingOutcome(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] ReadingStatus Status,
    [property: Id(2)] string? Field = null,
    [property: Id(3)] string? Reason = null);

[GenerateSerializer, Immutable, Alias("hue.IngestResult")]
public sealed record IngestResult(
    [property: Id(0)] int Accepted,
    [property: Id(1)] int Duplicates,
    [property: Id(2)] int Rejected,
    [property: Id(3)] IReadOnlyList<ReadingOutcome> Results)
{
    public static IngestResult From(IReadOnlyList<ReadingOutcome> results)
    {
        var (accepted, duplicates) = (0, 0);
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Status == ReadingStatus.Accepted) accepted++;
            else if (results[i].Status == ReadingStatus.Duplicate) duplicates++;
        }
        return new(accepted, duplicates, results.Count - accepted - duplicates, results);
    }
}

/// <summary>Count, minimum, maximum and mean of the readings in a time window; null figures when it is empty.</summary>
[GenerateSerializer, Immutable, Alias("hue.WindowStats")]
public sealed record WindowStats(
    [property: Id(0)] long Count,
    [property: Id(1)] double? Min,
    [property: Id(2)] double? Max,
    [property: Id(3)] double? Mean,
    [property: Id(4)] double Sum);

[GenerateSerializer, Immutable, Alias("hue.SensorStatistics")]
public sealed record SensorStatistics(
    [property: Id(0)] WindowStats LastMinute,
    [property: Id(1)] WindowStats LastHour,
    [property: Id(2)] WindowStats LastDay);

/// <summary>Limits that keep one request from hurting everyone else.</summary>
public static class IngestLimits
{
    public const int MaxBatch = 1000;
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);
}
