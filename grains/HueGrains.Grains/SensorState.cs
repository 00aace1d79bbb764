namespace HueGrains.Grains;

/// <summary>
/// What a sensor persists: its configuration and alert state, written when they change, never per reading. Its
/// latest value, rolling statistics and recent timestamps are rebuilt from the reading history on activation.
/// </summary>
[GenerateSerializer, Alias("hue.SensorState")]
public sealed class SensorState
{
    /// <summary>Null until an operator provisions the sensor.</summary>
    [Id(0)] public SensorSpec? Spec { get; set; }

    /// <summary>SHA-256 (hex) of the device key; the key itself is shown once and never stored.</summary>
    [Id(1)] public string? DeviceKeyHash { get; set; }

    [Id(2)] public DateTimeOffset ProvisionedAt { get; set; }
    // Id 3 (a single alert level) is retired; never reuse it.
    [Id(4)] public long Version { get; set; }

    /// <summary>Active alerts and the recent finished ones; written whenever an alert is raised, changes level, is acknowledged or clears.</summary>
    [Id(5)] public Domain.AlertBook Alerts { get; set; } = new();
}
