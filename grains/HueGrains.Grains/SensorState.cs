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
    [Id(3)] public int AlertLevel { get; set; }
    [Id(4)] public long Version { get; set; }
}
