using HueGrains.Grains.Domain;

namespace HueGrains.Grains;

/// <summary>
/// What a sensor persists: its configuration and alert state, written when they change, and a bounded summary of its
/// live figures (latest reading, rolling windows, the recent timestamps that catch duplicates), written every half to
/// whole <c>Hue:History:SensorSummaryMinutes</c> (drawn per activation) and on deactivation. A new activation reads this and only the readings
/// journaled since, never a day of history.
/// </summary>
[GenerateSerializer, Alias("hue.SensorState")]
public sealed class SensorState : IProjectedState
{
    /// <summary>Null until an operator provisions the sensor.</summary>
    [Id(0)] public SensorSpec? Spec { get; set; }

    /// <summary>SHA-256 of the device key (JSON: hex, as always); the key itself is shown once and never stored.</summary>
    [Id(12)] public KeyDigest? DeviceKeyHash { get; set; }
    // Id 1 (the hash as hex text in Orleans' binary form) is retired; never reuse it.

    [Id(2)] public DateTimeOffset ProvisionedAt { get; set; }
    // Id 3 (a single alert level) is retired; never reuse it.
    [Id(4)] public long Version { get; set; }

    /// <summary>Active alerts and the recent finished ones; written whenever an alert is raised, changes level, is acknowledged or clears.</summary>
    [Id(5)] public AlertBook Alerts { get; set; } = new();

    /// <summary>The device id (the grain key carries a prefix).</summary>
    [Id(6)] public string Id { get; set; } = "";

    [Id(7)] public Reading? Latest { get; set; }

    /// <summary>When the newest reading arrived.</summary>
    [Id(8)] public DateTimeOffset? LastSeen { get; set; }

    [Id(9)] public RollingStats Stats { get; set; } = new();

    /// <summary>The newest reading times: a reading at one of them is a duplicate (JSON: UTC ticks, oldest first).</summary>
    [Id(10)] public RecentTimes Recent { get; set; } = new();

    /// <summary>When this summary was written; readings journaled after it are replayed on activation.</summary>
    [Id(11)] public DateTimeOffset? SavedAt { get; set; }

    /// <summary>Set when the position lay outside the commune's loaded boundary at the last provisioning.</summary>
    [Id(20)] public string? PositionWarning { get; set; }

    public TimeSpan ExpectedInterval() => TimeSpan.FromSeconds(Spec!.ExpectedIntervalSeconds ?? Spec.Kind.Info().ExpectedIntervalSeconds);

    /// <summary>What the sensor's commune counts.</summary>
    public SensorSnapshot Snapshot() =>
        new(Id, Version, Spec!.Kind, Latest, Alerts.HighestLevel, AqiBand(), Alerts.ActiveByRule(), ExpectedInterval(), ProvisionedAt);

    /// <summary>The sensor's projection row, written with this state (JSON "Row": a trigger copies it in PostgreSQL).</summary>
    public SensorRow? Row => Spec is not { } spec ? null
        : new SensorRow(Id, Version, spec.Commune, spec.Kind, Alerts.HighestLevel, LastSeen, spec.Latitude, spec.Longitude, Snapshot(), DeviceKeyHash?.ToString());

    IProjectionRow? IProjectedState.Row => Row;

    private AqiBand? AqiBand() => Spec!.Kind == SensorKind.Pm25 && Latest is not null ? VnAqi.Band(VnAqi.FromPm25(Latest.Value)) : null;
}
