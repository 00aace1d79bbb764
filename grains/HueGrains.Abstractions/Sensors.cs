using System.Text.Json.Serialization;
using Orleans.Concurrency;

namespace HueGrains;

/// <summary>What an operator provisions: a sensor's kind, unit, place and optional alert thresholds.</summary>
[GenerateSerializer, Immutable, Alias("hue.SensorSpec")]
public sealed record SensorSpec(
    [property: Id(0)] SensorKind Kind,
    [property: Id(1)] string Unit,
    [property: Id(2)] string Commune,
    [property: Id(3)] double Latitude,
    [property: Id(4)] double Longitude,
    [property: Id(5)] double[]? Thresholds = null,
    [property: Id(6)] string? Label = null,
    [property: Id(7)] string? DeviceUnit = null,
    [property: Id(8)] int? ExpectedIntervalSeconds = null);

[GenerateSerializer, Immutable, Alias("hue.SensorView")]
public sealed record SensorView(
    [property: Id(0)] string Id,
    [property: Id(1)] SensorKind Kind,
    [property: Id(2)] string Unit,
    [property: Id(3)] string Commune,
    [property: Id(4)] double Latitude,
    [property: Id(5)] double Longitude,
    [property: Id(6)] string? Label,
    [property: Id(7)] double[] Thresholds,
    [property: Id(8)] Reading? Latest,
    [property: Id(9)] SensorStatistics Statistics,
    [property: Id(10)] int AlertLevel,
    [property: Id(11)] int? Aqi,
    [property: Id(12)] AqiBand? AqiBand,
    [property: Id(13)] DateTimeOffset? LastSeen,
    [property: Id(14)] DateTimeOffset ProvisionedAt,
    [property: Id(16)] IReadOnlyList<SensorAlert> Alerts,
    [property: Id(17)] bool Online,
    [property: Id(18)] int ExpectedIntervalSeconds,
    [property: Id(19)] string? DeviceUnit,
    [property: Id(15), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DeviceKey = null,
    // Set when the position lies outside the stated commune's loaded boundary: shown, not refused.
    [property: Id(20), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Warning = null);

/// <summary>The result of provisioning; the sensor's <c>DeviceKey</c> is set only when it was created, and shown once.</summary>
[GenerateSerializer, Immutable, Alias("hue.ProvisionResult")]
public sealed record ProvisionResult([property: Id(0)] SensorView Sensor, [property: Id(1)] bool Created);

/// <summary>A sensor's device key was rotated or revoked: edges close the sessions opened with the old key.</summary>
[GenerateSerializer, Immutable, Alias("hue.DeviceKeyChanged")]
public sealed record DeviceKeyChanged([property: Id(0)] string SensorId);

[Alias("hue.ISensorGrain")]
public interface ISensorGrain : IGrainWithStringKey
{
    /// <summary>Creates the sensor or updates its metadata; its kind and commune are fixed once created.</summary>
    [Alias("Provision")]
    Task<ProvisionResult> Provision(SensorSpec spec, CancellationToken ct = default);

    /// <summary>
    /// Ingests readings and returns once the accepted ones are durable in the reading journal. <paramref name="deviceKeyHash"/> is the SHA-256 of the device key the caller presented;
    /// null means the edge has already authorised the caller as an operator. <paramref name="unit"/> is the unit of the
    /// values when the message says (SenML); otherwise they are in the device's own unit. The readings are passed by
    /// reference within a silo (not copied): callers build a list per call and do not change it afterwards.
    /// </summary>
    [Alias("Ingest"), AlwaysInterleave] // waits for the journal's commit without holding up the sensor's other callers
    Task<IngestResult> Ingest([Immutable] IReadOnlyList<Reading> readings, string? deviceKeyHash, string? unit = null, CancellationToken ct = default);

    /// <summary>Issues a new device key (shown once); the old one stops working at once.</summary>
    [Alias("RotateKey")]
    Task<string> RotateKey(CancellationToken ct = default);

    /// <summary>Revokes the device key: the device is refused until an operator rotates a new one.</summary>
    [Alias("RevokeKey")]
    Task RevokeKey(CancellationToken ct = default);

    /// <summary>Whether the SHA-256 of a presented device key is this sensor's (false when not provisioned or revoked).</summary>
    [Alias("IsDeviceKey"), AlwaysInterleave]
    Task<bool> IsDeviceKey(string deviceKeyHash, CancellationToken ct = default);

    [Alias("Get"), AlwaysInterleave] // a pure read
    Task<SensorView?> Get(CancellationToken ct = default);

    /// <summary>Readings between <paramref name="from"/> (inclusive) and <paramref name="to"/> (exclusive), raw or bucketed.</summary>
    [Alias("History"), AlwaysInterleave] // reads the journal only; must not wait behind ingest
    Task<SensorHistory> History(DateTimeOffset from, DateTimeOffset to, TimeBucket bucket, int limit, CancellationToken ct = default);

    /// <summary>The sensor's contribution to its commune's indicators, for reconcile.</summary>
    /// <summary>Acknowledges the active alert of a rule; an official of the sensor's commune or an operator.</summary>
    [Alias("AcknowledgeAlert")]
    Task<SensorAlert> AcknowledgeAlert(string rule, Actor actor, CancellationToken ct = default);

    [Alias("GetAlerts"), AlwaysInterleave] // a pure read
    Task<SensorAlerts> GetAlerts(CancellationToken ct = default);

    [Alias("GetSnapshot"), AlwaysInterleave] // a pure read; lets reconcile and enrolment cross without deadlock
    Task<SensorSnapshot?> GetSnapshot(CancellationToken ct = default);
}
