using System.ComponentModel.DataAnnotations;

namespace HueGrains;

/// <summary>
/// Bound from <c>Hue:Ingest</c>: a device's quota, enforced by its sensor grain (one place however many front ends it
/// reaches) and, as a cheap first filter, by each front end.
/// </summary>
public sealed class IngestOptions
{
    public const string Section = "Hue:Ingest";

    /// <summary>Messages a device may send per second on average (HTTP requests or MQTT publishes).</summary>
    [Range(1, 100_000)] public int DeviceMessagesPerSecond { get; set; } = 20;

    /// <summary>How many it may send at once after a quiet spell.</summary>
    [Range(1, 100_000)] public int DeviceBurst { get; set; } = 100;
}
