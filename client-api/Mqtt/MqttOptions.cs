using System.ComponentModel.DataAnnotations;

namespace HueGrains.Api.Mqtt;

/// <summary>Bound from <c>Hue:Mqtt</c>: the MQTT edge for devices, inside the API process.</summary>
public sealed class MqttOptions
{
    public const string Section = "Hue:Mqtt";

    public bool Enabled { get; set; } = true;

    [Required] public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)] public int Port { get; set; } = 1883;

    /// <summary>Largest accepted PUBLISH payload; a larger one closes the connection.</summary>
    [Range(256, 16_777_216)] public int MaxPayloadBytes { get; set; } = 65_536;
}
