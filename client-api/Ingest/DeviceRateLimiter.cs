using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace HueGrains.Api.Ingest;

/// <summary>
/// A token bucket per device, shared by the HTTP and MQTT edges of this node: a cheap first filter that spares the
/// cluster a flooding device's calls. The quota itself is the sensor grain's (one bucket per device across all front
/// ends). Operators are not limited.
/// </summary>
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
