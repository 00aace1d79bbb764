namespace HueGrains;

/// <summary>
/// Every event is the entity's whole contribution to its commune at one version. Versions grow monotonically
/// per entity, so an aggregator keeps only the newest one it has seen: duplicates and reordering change nothing.
/// </summary>
public interface IEntitySnapshot
{
    string EntityId { get; }
    long Version { get; }
}

[GenerateSerializer, Immutable, Alias("hue.SensorSnapshot")]
public sealed record SensorSnapshot(
    [property: Id(0)] string EntityId,
    [property: Id(1)] long Version,
    [property: Id(2)] SensorKind Kind,
    [property: Id(3)] Reading? Latest,
    [property: Id(4)] int AlertLevel,
    [property: Id(5)] AqiBand? AqiBand,
    [property: Id(6)] IReadOnlyList<SensorAlert> Alerts,
    [property: Id(7)] TimeSpan ExpectedInterval,
    [property: Id(8)] DateTimeOffset ProvisionedAt) : IEntitySnapshot
{
    /// <summary>Offline once three expected intervals pass without a reading (counted from provisioning if none came).</summary>
    public bool IsOnline(DateTimeOffset now) => now - (Latest?.At ?? ProvisionedAt) <= 3 * ExpectedInterval;
}

/// <summary>Many sensors' snapshots coalesced by the silo's outbox into one message per commune per flush.</summary>
[GenerateSerializer, Immutable, Alias("hue.SensorEventBatch")]
public sealed record SensorEventBatch([property: Id(0)] IReadOnlyList<SensorSnapshot> Sensors);

[GenerateSerializer, Immutable, Alias("hue.FeedbackSnapshot")]
public sealed record FeedbackSnapshot(
    [property: Id(0)] string EntityId,
    [property: Id(1)] long Version,
    [property: Id(2)] FeedbackStatus Status,
    [property: Id(3)] DateTimeOffset DueAt,
    [property: Id(4)] DateTimeOffset? ResolvedAt,
    [property: Id(5)] int? Rating,
    [property: Id(6)] FeedbackCategory Category = FeedbackCategory.Other,
    [property: Id(7)] DateTimeOffset SubmittedAt = default,
    [property: Id(8)] bool Overdue = false) : IEntitySnapshot
{
    /// <summary>Open past its deadline: flagged by the report's reminder, or seen by whoever looks after the deadline.</summary>
    public bool IsOverdue(DateTimeOffset now) => Status.IsOpen() && (Overdue || now > DueAt);
}

[GenerateSerializer, Immutable, Alias("hue.CaseSnapshot")]
public sealed record CaseSnapshot(
    [property: Id(0)] string EntityId,
    [property: Id(1)] long Version,
    [property: Id(2)] CaseStatus Status,
    [property: Id(3)] DateTimeOffset DueAt,
    [property: Id(4)] DateTimeOffset? CompletedAt,
    [property: Id(5)] string Procedure = "",
    [property: Id(6)] DateTimeOffset FiledAt = default,
    [property: Id(7)] bool Overdue = false) : IEntitySnapshot
{
    /// <summary>Open and past its due time; the statutory clock is stopped while a supplement is awaited.</summary>
    public bool IsOverdue(DateTimeOffset now) => Status.IsOpen() && Status != CaseStatus.SupplementRequested && (Overdue || now > DueAt);
}

/// <summary>A commune's indicators at one version, published to the City on the commune's flush timer.</summary>
[GenerateSerializer, Immutable, Alias("hue.CommuneSnapshot")]
public sealed record CommuneSnapshot(
    [property: Id(0)] string Code,
    [property: Id(1)] long Version,
    [property: Id(2)] Indicators Indicators,
    [property: Id(3)] IReadOnlyList<KindIndicators> Sensors,
    [property: Id(4)] IReadOnlyList<ActiveAlert> ActiveAlerts,
    [property: Id(5)] DateTimeOffset ComputedAt,
    [property: Id(6)] ResolveTimes? ResolveTimes = null);

/// <summary>
/// How long reports took to resolve, as counts per quarter hour, so the city can merge communes into an exact-enough
/// median (within 7.5 minutes) without holding every report.
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.ResolveTimes")]
public sealed record ResolveTimes([property: Id(0)] IReadOnlyDictionary<int, int> QuarterHours)
{
    public static ResolveTimes Of(IEnumerable<TimeSpan> durations) =>
        new(durations.GroupBy(d => (int)Math.Max(0, d.TotalMinutes / 15)).ToDictionary(g => g.Key, g => g.Count()));

    public static ResolveTimes Merge(IEnumerable<ResolveTimes> parts) =>
        new(parts.SelectMany(p => p.QuarterHours).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value)));

    /// <summary>The median in hours (the middle of its quarter hour), or null when nothing was resolved.</summary>
    public double? MedianHours()
    {
        var total = QuarterHours.Values.Sum();
        if (total == 0) return null;
        var seen = 0;
        foreach (var (bucket, count) in QuarterHours.OrderBy(p => p.Key))
        {
            seen += count;
            if (2 * seen >= total) return Math.Round((bucket + 0.5) / 4, 2);
        }
        return null;
    }
}
