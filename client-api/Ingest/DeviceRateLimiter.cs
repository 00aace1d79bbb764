using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace HueGrains.Api.Ingest;

/// <summary>
/// A token bucket per device, shared by the HTTP and MQTT edges of this node: a cheap first filter that spares the
/// cluster a flooding device's calls. The quota itself is the sensor grain's (one bucket per device across all front
/// ends). Operators are not limited.
/// </summary>
/// <remarks>
/// Buckets refill lazily, from the time between two messages, and a device silent long enough to refill its whole
/// burst (at least <see cref="IdleAfter"/>) loses its bucket: it would be full again anyway. Nothing runs per device in the background: ASP.NET Core's partitioned
/// limiter visited every device's limiter ten times a second, the largest single cost of a reading at 20,000 devices.
/// </remarks>
public sealed class DeviceRateLimiter(IOptions<IngestOptions> options, TimeProvider clock)
{
    public static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(1);

    /// <summary>Keyed by the key's digest (<see cref="KeyDigest"/>: 32 bytes in the entry, not a 150-byte string per device).</summary>
    private readonly ConcurrentDictionary<KeyDigest, StrongBox<TokenBucket>> _buckets = new();
    private readonly TimeSpan _forgetAfter = TimeSpan.FromSeconds(Math.Max(IdleAfter.TotalSeconds,
        (double)options.Value.DeviceBurst / options.Value.DeviceMessagesPerSecond));
    private long _nextSweep = clock.GetTimestamp() + (long)(IdleAfter.TotalSeconds * clock.TimestampFrequency);

    /// <summary>Devices with a bucket on this node now.</summary>
    public int Devices => _buckets.Count;

    /// <summary>Takes one of the device's tokens; <paramref name="deviceKeyHash"/> is its key's SHA-256 (hex).</summary>
    public bool TryAcquire(string deviceKeyHash)
    {
        if (!KeyDigest.TryParse(deviceKeyHash, out var device)) throw new ArgumentException("Not a device key hash.", nameof(deviceKeyHash));
        var now = clock.GetUtcNow();
        var bucket = _buckets.GetOrAdd(device, static (_, o) => new(new TokenBucket(o.DeviceMessagesPerSecond, o.DeviceBurst)), options.Value);
        bool taken;
        lock (bucket) taken = bucket.Value.TryTake(now, out _);
        SweepWhenDue(now);
        return taken;
    }

    /// <summary>At most once per <see cref="IdleAfter"/>, on one caller: drops the buckets of devices that went quiet.</summary>
    private void SweepWhenDue(DateTimeOffset now)
    {
        var due = Volatile.Read(ref _nextSweep);
        if (clock.GetTimestamp() < due) return;
        var next = clock.GetTimestamp() + (long)(IdleAfter.TotalSeconds * clock.TimestampFrequency);
        if (Interlocked.CompareExchange(ref _nextSweep, next, due) != due) return;
        foreach (var (device, bucket) in _buckets)
        {
            DateTimeOffset? used;
            lock (bucket) used = bucket.Value.LastUsed;
            if (used is { } at && now - at > _forgetAfter) _buckets.TryRemove(new KeyValuePair<KeyDigest, StrongBox<TokenBucket>>(device, bucket));
        }
    }

    /// <summary>429 with Retry-After: the device sends faster than its quota.</summary>
    public static ProblemHttpResult TooMany(HttpContext http)
    {
        http.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem("This device sends faster than its quota; slow down.", statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests.");
    }
}
