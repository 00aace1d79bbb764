using System.ComponentModel.DataAnnotations;

namespace HueGrains.Silo;

public enum PlatformRole { All, Silo, Api }

/// <summary>Bound from <c>Hue</c>; every value has a default that serves the embedded mode.</summary>
public sealed class HueHostOptions
{
    public PlatformRole Role { get; set; } = PlatformRole.All;

    /// <summary>Adds the city simulator, so a newcomer sees live numbers.</summary>
    public bool Demo { get; set; }

    /// <summary>The Orleans dashboard at /dashboard (operators only).</summary>
    public bool Dashboard { get; set; } = true;

    /// <summary>The dashboard's timings of each grain method: a filter on every grain call (see <see cref="OrleansDashboard"/>).</summary>
    public bool DashboardProfiling { get; set; }

    public HttpOptions Http { get; set; } = new();
    public OrleansOptions Orleans { get; set; } = new();
    public MetricsOptions Metrics { get; set; } = new();

    public sealed class HttpOptions
    {
        [Required] public string Host { get; set; } = "127.0.0.1";
        [Range(1, 65535)] public int Port { get; set; } = 5080;

        /// <summary>Largest request body accepted (bytes); a full batch of 1,000 readings is about 60 KB.</summary>
        [Range(1024, 100_000_000)] public long MaxRequestBodyBytes { get; set; } = 1_048_576;
    }

    /// <summary>
    /// Where Prometheus scrapes <c>/metrics</c>: with <see cref="Port"/>, on that port only and without a token (keep the
    /// port on a private network); without it, on the API port for the operator role only (a bearer token).
    /// </summary>
    public sealed class MetricsOptions
    {
        [Range(1, 65535)] public int? Port { get; set; }

        /// <summary>The address the scrape port listens on; default: <see cref="HttpOptions.Host"/>.</summary>
        public string? Host { get; set; }
    }

    public sealed class OrleansOptions
    {
        [Required] public string ClusterId { get; set; } = "hue";
        [Required] public string ServiceId { get; set; } = "hue-grains";
        [Range(1, 65535)] public int SiloPort { get; set; } = 11111;
        [Range(1, 65535)] public int GatewayPort { get; set; } = 30000;

        /// <summary>
        /// The address this silo advertises to the others: an IP (the pod IP in Kubernetes) or a host name resolved at start
        /// (a Compose service); loopback on one machine.
        /// </summary>
        [Required] public string Address { get; set; } = "127.0.0.1";
    }
}
