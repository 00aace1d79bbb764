using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace HueGrains.Api.Ingest;

/// <summary>Bound from <c>Hue:Ingest</c>.</summary>
public sealed class IngestOptions
{
    public const string Section = "Hue:Ingest";

    /// <summary>Messages a device may send per second on average (HTTP requests or MQTT publishes).</summary>
    [Range(1, 100_000)] public int DeviceMessagesPerSecond { get; set; } = 20;

    /// <summary>How many it may send at once after a quiet spell.</summary>
    [Range(1, 100_000)] public int DeviceBurst { get; set; } = 100;
}

/// <summary>A token bucket per device, shared by the HTTP and MQTT edges of this node. Operators are not limited.</summary>
public sealed class DeviceRateLimiter(IOptions<IngestOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(device =>
        RateLimitPartition.GetTokenBucketLimiter(device, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.DeviceBurst,
            TokensPerPeriod = options.Value.DeviceMessagesPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public bool TryAcquire(string device)
    {
        using var lease = _limiter.AttemptAcquire(device);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();

    /// <summary>429 with Retry-After: the device sends faster than its quota.</summary>
    public static ProblemHttpResult TooMany(HttpContext http)
    {
        http.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem("This device sends faster than its quota; slow down.", statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests.");
    }
}
