using HueGrains.Grains.Domain;

namespace HueGrains.Grains;

[GenerateSerializer, Alias("hue.SensorState")]
public sealed class SensorState
{
    /// <summary>Null until an operator provisions the sensor.</summary>
    [Id(0)] public SensorSpec? Spec { get; set; }

    /// <summary>SHA-256 (hex) of the device key; the key itself is shown once and never stored.</summary>
    [Id(1)] public string? DeviceKeyHash { get; set; }

    [Id(2)] public DateTimeOffset ProvisionedAt { get; set; }
    [Id(3)] public Reading? Latest { get; set; }
    [Id(4)] public DateTimeOffset? LastSeen { get; set; }
    [Id(5)] public int AlertLevel { get; set; }
    [Id(6)] public long Version { get; set; }
    [Id(7)] public RollingStats Stats { get; set; } = new();

    /// <summary>Timestamps (UTC ticks) of the most recent readings, oldest first, for duplicate detection.</summary>
    [Id(8)] public List<long> Recent { get; set; } = [];
}
