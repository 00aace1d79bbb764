using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;

namespace HueGrains;

/// <summary>Configuration section <c>Hue:Subscriptions</c>: webhook targets and delivery.</summary>
public sealed class SubscriptionOptions
{
    public const string Section = "Hue:Subscriptions";

    /// <summary>
    /// Comma-separated host names or IP addresses an operator allows although they are plain <c>http</c>, loopback or
    /// private (e.g. <c>127.0.0.1</c> in tests, an internal receiver). Everything else must be public and <c>https</c>.
    /// </summary>
    public string AllowedHosts { get; set; } = "";

    /// <summary>Failing without a success for this long pauses a subscription until its owner resumes it.</summary>
    [Range(0.001, 7 * 24 * 60)]
    public double PauseAfterMinutes { get; set; } = 60;

    /// <summary>The first retry waits about this long; each further failure doubles it (with jitter), up to <see cref="BackoffMaxSeconds"/>.</summary>
    [Range(1, 600_000)]
    public int BackoffBaseMilliseconds { get; set; } = 1000;

    [Range(1, 3600)]
    public int BackoffMaxSeconds { get; set; } = 300;

    /// <summary>
    /// A target that has not answered in this time counts as a failure (and is retried). Below Orleans' 30 s response
    /// timeout: a delivery in flight holds the subscription's other calls (delete, resume, test) that long.
    /// </summary>
    [Range(0.1, 20)]
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>How often an active subscription looks for new changes.</summary>
    [Range(10, 60_000)]
    public int PollMilliseconds { get; set; } = 1000;

    [Range(1, 500)]
    public int BatchSize { get; set; } = 50;

    /// <summary>How many subscriptions one owner (a token's subject) may have at once.</summary>
    [Range(1, 10_000)]
    public int MaxPerOwner { get; set; } = 25;

    /// <summary>
    /// Every silo asks this often that each active subscription be delivering: after a silo is lost, its subscriptions
    /// resume on another within about this long plus failure detection.
    /// </summary>
    [Range(1, 300)]
    public int WakeSeconds { get; set; } = 5;

    public IReadOnlySet<string> Allowed() =>
        AllowedHosts.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// Where a webhook may go: <c>https</c>, or <c>http</c> to an allowed host; never into loopback, private, link-local or
/// other internal ranges unless the host is allowed. The address is checked again on each connection (a name may
/// resolve elsewhere later).
/// </summary>
public static class WebhookTargets
{
    /// <summary>Null when the URL may be registered; otherwise why not.</summary>
    public static string? Refusal(string url, IReadOnlySet<string> allowed)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || string.IsNullOrEmpty(uri.Host))
            return "Give an absolute https URL.";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "Credentials do not belong in the URL; the secret signs each delivery.";
        if (!string.IsNullOrEmpty(uri.Fragment)) return "A target URL has no fragment.";
        var hostAllowed = allowed.Contains(uri.IdnHost);
        if (uri.Scheme == "http" && !hostAllowed) return "Targets must use https.";
        if (!hostAllowed && IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var ip) && IsInternal(ip))
            return "This address is inside a private, loopback or link-local range.";
        return null;
    }

    /// <summary>Loopback, private (RFC 1918), link-local, carrier-grade NAT, unspecified, multicast; in IPv6 anything but plain global unicast.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            // Only global unicast (2000::/3), and none of its forms that carry an IPv4 address on to its own network:
            // 6to4 (2002::/16), Teredo (2001::/32); NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and ::a.b.c.d fall outside 2000::/3.
            return (b[0] & 0xE0) != 0x20 || b[0] == 0x20 && b[1] == 0x02 || b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0;
        }
        var v4 = address.GetAddressBytes();
        return v4[0] switch
        {
            0 or 10 or 127 => true,
            100 => v4[1] >= 64 && v4[1] < 128, // 100.64.0.0/10
            169 => v4[1] == 254,
            172 => v4[1] >= 16 && v4[1] < 32,
            192 => v4[1] == 168 || v4[1] == 0 && v4[2] == 0,
            >= 224 => true, // multicast and reserved
            _ => false,
        };
    }
}
