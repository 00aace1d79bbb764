using Microsoft.Extensions.DependencyInjection;

namespace HueGrains.Api;

/// <summary>
/// Bound from <c>Hue:Http</c>: the address the public reaches the platform at, for absolute links in documents others
/// keep (Open311 discovery, the DCAT catalogue). Never taken from the request: a client chooses its Host header.
/// </summary>
public sealed class PublicBaseUrlOptions
{
    public const string Section = "Hue:Http";

    /// <summary>An absolute http(s) URL such as <c>https://data.hue.gov.vn</c> (a path prefix is kept); unset: <c>http://localhost:{Port}</c>.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The API's port (<c>Hue:Http:Port</c>), for the fallback.</summary>
    public int Port { get; set; } = 5080;

    /// <summary><paramref name="path"/> (starting with '/') under the public base URL.</summary>
    public string Resolve(string path) => (string.IsNullOrWhiteSpace(PublicBaseUrl) ? $"http://localhost:{Port}" : PublicBaseUrl.TrimEnd('/')) + path;

    public bool IsValid() => string.IsNullOrWhiteSpace(PublicBaseUrl)
        || Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0 && uri.Fragment.Length == 0;

    public static IServiceCollection AddPublicBaseUrl(IServiceCollection services)
    {
        services.AddOptions<PublicBaseUrlOptions>().BindConfiguration(Section)
            .Validate(o => o.IsValid(), "Hue:Http:PublicBaseUrl must be an absolute http or https URL without query or fragment.").ValidateOnStart();
        return services;
    }
}
