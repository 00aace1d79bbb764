using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HueGrains.Api;

/// <summary>
/// Bound from <c>Hue:RateLimit</c>: a token bucket per client: a token's subject, a device (its key, checked by the
/// default scheme), else the address (<c>X-Forwarded-For</c> only from <see cref="KnownProxiesOptions"/>).
/// </summary>
public sealed class ClientRateLimitOptions
{
    public const string Section = "Hue:RateLimit";

    [Range(1, 10_000_000)] public int PermitsPerSecond { get; set; } = 200;
    [Range(1, 10_000_000)] public int Burst { get; set; } = 400;
}

/// <summary>Bound from <c>Hue:Cors</c>: origins whose pages may call the API from a browser.</summary>
public sealed class CorsOriginsOptions
{
    public const string Section = "Hue:Cors";

    public List<string> Origins { get; set; } = [];
}

/// <summary>Rate limits per client, CORS, and the security headers every answer carries.</summary>
public static class Hardening
{
    /// <summary>Open data and Open311 are for anyone's page: any origin may read them.</summary>
    public const string PublicCors = "public";

    private static readonly PathString[] Unlimited = ["/health", "/metrics", "/api/v1/live", "/ui"];

    public static IServiceCollection AddHueHardening(this IServiceCollection services)
    {
        services.AddOptions<ClientRateLimitOptions>().BindConfiguration(ClientRateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CorsOriginsOptions>().BindConfiguration(CorsOriginsOptions.Section);
        services.AddRateLimiter(o => o.OnRejected = (context, _) => TooManyAsync(context.HttpContext, context.Lease));
        // The limits are read once here, not resolved from the request's services on every request.
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ClientRateLimitOptions>>((o, limits) =>
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Partition(http, limits.Value)));
        services.AddHueKnownProxies();
        services.AddCors();
        services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>>(sp =>
            new ConfigureOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>(cors =>
            {
                var origins = sp.GetRequiredService<IOptions<CorsOriginsOptions>>().Value.Origins;
                cors.AddDefaultPolicy(p => p.WithOrigins([.. origins]).AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Retry-After", "Location"));
                cors.AddPolicy(PublicCors, p => p.AllowAnyOrigin().WithMethods("GET").AllowAnyHeader());
            }));
        return services;
    }

    public static WebApplication UseHueHardening(this WebApplication app)
    {
        app.UseForwardedHeaders(); // first: the client's address as the known proxies report it
        app.Use((http, next) =>
        {
            var headers = SecurityHeaders(http.Response);
            if (http.Request.Path == "/" || http.Request.Path.StartsWithSegments("/ui"))
                headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
            return next(http);
        });
        app.UseCors();
        return app;
    }

    /// <summary>The headers every answer carries (the device lane sets them itself).</summary>
    public static IHeaderDictionary SecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        return headers;
    }

    /// <summary>429 with Retry-After, as problem details: the answer of every client limit.</summary>
    public static async ValueTask TooManyAsync(HttpContext http, RateLimitLease lease)
    {
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await TypedResults.Problem("This client sends faster than its quota; slow down and retry after the given seconds.",
            statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.").ExecuteAsync(http);
    }

    /// <summary>Set by the device lane, which authenticates without a principal: the request's device (its sensor).</summary>
    public const string DeviceItem = "hue.device";

    private static RateLimitPartition<string> Partition(HttpContext http, ClientRateLimitOptions options)
    {
        if (Unlimited.Any(p => http.Request.Path.StartsWithSegments(p))) return RateLimitPartition.GetNoLimiter("unlimited");
        var user = http.User;
        // A device posting readings has its own, stricter quota there (DeviceRateLimiter, then its sensor grain's): a
        // partition per device here as well cost a limiter visit per device ten times a second. Elsewhere a device key
        // gets a bucket of its own, never its address's.
        var device = HueClaims.PresentedDeviceSensor(user) ?? http.Items[DeviceItem] as string;
        if (device is not null && http.GetEndpoint()?.Metadata.GetMetadata<Ingest.DeviceLaneEndpoint>() is not null)
            return RateLimitPartition.GetNoLimiter("device-ingest");
        var key = user.FindFirstValue(HueClaims.Subject) is { } subject ? $"sub:{subject}"
            : device is not null ? $"device:{device}" : $"ip:{http.Connection.RemoteIpAddress}";
        return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Burst,
            TokensPerPeriod = options.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}
