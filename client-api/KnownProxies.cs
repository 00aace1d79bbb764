using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HueGrains.Api;

/// <summary>
/// Bound from <c>Hue:Http</c> (<c>Hue__Http__KnownProxies__0=10.0.0.5</c>, or a network such as <c>10.0.0.0/8</c>):
/// the reverse proxies or load balancers whose <c>X-Forwarded-For</c> names the client. From anyone else the header is
/// ignored, so a client cannot pick its own rate-limit bucket. Empty (the default): the socket's address is the client.
/// </summary>
public sealed class KnownProxiesOptions
{
    public const string Section = "Hue:Http";

    public List<string> KnownProxies { get; set; } = [];
}

public static class KnownProxiesExtensions
{
    public static IServiceCollection AddHueKnownProxies(this IServiceCollection services)
    {
        services.AddOptions<KnownProxiesOptions>().BindConfiguration(KnownProxiesOptions.Section)
            .Validate(o => o.KnownProxies.All(p => IPAddress.TryParse(p, out _) || System.Net.IPNetwork.TryParse(p, out _)),
                "Hue:Http:KnownProxies holds IP addresses or CIDR networks.")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<KnownProxiesOptions>>((forwarded, known) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            forwarded.KnownIPNetworks.Clear(); // not even loopback by default: only what is configured
            forwarded.KnownProxies.Clear();
            forwarded.ForwardLimit = null; // walk back through every known proxy, stop at the first other address
            foreach (var proxy in known.Value.KnownProxies)
            {
                if (IPAddress.TryParse(proxy, out var address)) forwarded.KnownProxies.Add(address);
                else forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
            }
        });
        return services;
    }
}
