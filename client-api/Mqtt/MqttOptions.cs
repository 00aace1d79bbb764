using System.ComponentModel.DataAnnotations;
using System.Net;

namespace HueGrains.Api.Mqtt;

/// <summary>Bound from <c>Hue:Mqtt</c>: the MQTT edge for devices, inside the API process.</summary>
public sealed class MqttOptions : IValidatableObject
{
    public const string Section = "Hue:Mqtt";

    public bool Enabled { get; set; } = true;

    /// <summary>The addresses to listen on, comma-separated (<c>127.0.0.1</c>, <c>::1</c>, <c>0.0.0.0,::</c>); exactly these.</summary>
    [Required] public string Host { get; set; } = "127.0.0.1";

    /// <summary>The plain-TCP port; 0 turns plain MQTT off (TLS only).</summary>
    [Range(0, 65535)] public int Port { get; set; } = 1883;

    /// <summary>Largest accepted PUBLISH payload; a larger one closes the connection.</summary>
    [Range(256, 16_777_216)] public int MaxPayloadBytes { get; set; } = 65_536;

    /// <summary>Largest CONNECT packet (client id, user name, key, a small will): checked on its fixed header, before reading it.</summary>
    [Range(64, 65_536)] public int MaxConnectBytes { get; set; } = 4_096;

    /// <summary>A connection must have completed TLS and sent its whole CONNECT within this time, or it is closed.</summary>
    [Range(1, 300)] public int ConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>Open connections this node accepts (logged in or not); beyond it a new one is closed at once.</summary>
    [Range(1, 1_000_000)] public int MaxConnections { get; set; } = 10_000;

    /// <summary>Open connections from one remote address (a field gateway's NAT may hold many devices).</summary>
    [Range(1, 1_000_000)] public int MaxConnectionsPerAddress { get; set; } = 200;

    /// <summary>Failed logins from one address within <see cref="FailedLoginWindowSeconds"/> before it is refused without any lookup.</summary>
    [Range(1, 1_000_000)] public int MaxFailedLogins { get; set; } = 20;

    [Range(1, 86_400)] public int FailedLoginWindowSeconds { get; set; } = 60;

    /// <summary>A publish not durable within this time (up to 250 ms more) closes the connection without PUBACK (the device resends).</summary>
    [Range(1, 120)] public int PublishTimeoutSeconds { get; set; } = 10;

    public MqttTlsOptions Tls { get; set; } = new();

    /// <summary>Largest packet after CONNECT: the payload limit plus room for the topic and MQTT 5 properties.</summary>
    public int MaxPacketBytes => MaxPayloadBytes + 4_096;

    public IReadOnlyList<IPAddress> Addresses() =>
        [.. Host.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(IPAddress.Parse).Distinct()];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var hosts = Host.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (hosts.Length == 0 || hosts.Any(h => !IPAddress.TryParse(h, out _)))
            yield return new ValidationResult("Host must be one or more IP addresses, comma-separated (such as 127.0.0.1,::1).", [nameof(Host)]);
        if (Port == 0 && !Tls.Enabled)
            yield return new ValidationResult("Port 0 turns plain MQTT off: enable Tls or set a port.", [nameof(Port)]);
        if (Tls.Enabled && string.IsNullOrWhiteSpace(Tls.CertificatePath))
            yield return new ValidationResult("Tls:CertificatePath is required when MQTT TLS is enabled.", ["Tls.CertificatePath"]);
        if (Tls.Enabled && (Tls.Port == Port || Tls.Port is < 1 or > 65535))
            yield return new ValidationResult("Tls:Port must be a port (1-65535) other than Port.", ["Tls.Port"]);
    }
}

/// <summary>
/// Bound from <c>Hue:Mqtt:Tls</c>: MQTT over TLS for field devices. The certificate is a PFX/PKCS#12 file, or a PEM
/// certificate with its PEM key in <see cref="KeyPath"/> (or in the same file); a password may come from a mounted secret
/// file (<c>/run/secrets/Hue__Mqtt__Tls__CertificatePassword</c>).
/// </summary>
public sealed class MqttTlsOptions
{
    public bool Enabled { get; set; }

    [Range(1, 65535)] public int Port { get; set; } = 8883;

    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key, when it is not in <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The PFX password, or the encrypted PEM key's.</summary>
    public string? CertificatePassword { get; set; }
}
