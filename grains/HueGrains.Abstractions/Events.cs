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
    [property: Id(5)] int? Rating) : IEntitySnapshot;

[GenerateSerializer, Immutable, Alias("hue.CaseSnapshot")]
public sealed record CaseSnapshot(
    [property: Id(0)] string EntityId,
    [property: Id(1)] long Version,
    [property: Id(2)] CaseStatus Status,
    [property: Id(3)] DateTimeOffset DueAt,
    [property: Id(4)] DateTimeOffset? CompletedAt) : IEntitySnapshot;

/// <summary>A commune's indicators at one version, published to the City on the commune's flush timer.</summary>
[GenerateSerializer, Immutable, Alias("hue.CommuneSnapshot")]
public sealed record CommuneSnapshot(
    [property: Id(0)] string Code,
    [property: Id(1)] long Version,
    [property: Id(2)] Indicators Indicators,
    [property: Id(3)] IReadOnlyList<KindIndicators> Sensors,
    [property: Id(4)] IReadOnlyList<ActiveAlert> ActiveAlerts,
    [property: Id(5)] DateTimeOffset ComputedAt);
