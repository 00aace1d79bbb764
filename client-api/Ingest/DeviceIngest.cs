using System.Diagnostics;

namespace HueGrains.Api.Ingest;

/// <summary>
/// The one path from parsed readings to the journal, whichever transport carried them (HTTP JSON, SenML, MQTT). The
/// edge has found the device's sensor from its key in the key index, before any grain call; here the node's first
/// filter of the device quota, one grain call per sensor and batch (the grain checks the key and takes the quota
/// across front ends), and the metrics.
/// </summary>
public sealed class DeviceIngest(IGrainFactory grains, DeviceRateLimiter limiter, IDeviceKeyIndex keys, HueMetrics metrics)
{
    /// <summary>Whether the device is within the node's quota; counts the readings refused when not.</summary>
    public bool TryTakeQuota(string transport, string deviceKeyHash, int readings = 1)
    {
        if (limiter.TryAcquire(deviceKeyHash)) return true;
        metrics.Rejected(transport, "rate-limit", readings);
        return false;
    }

    /// <summary>One grain call for a sensor's readings; <paramref name="deviceKeyHash"/> is null only for an operator.</summary>
    public async Task<IngestResult> IngestAsync(string transport, string sensor, IReadOnlyList<Reading> readings, string? deviceKeyHash,
        string? unit, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        IngestResult result;
        try
        {
            result = await grains.Sensor(sensor).Ingest(readings, deviceKeyHash, unit, ct);
        }
        catch (HueForbiddenException) when (deviceKeyHash is not null)
        {
            keys.Forget(deviceKeyHash); // rotated or revoked: the index must not keep finding it
            throw;
        }
        metrics.Record(transport, result, Stopwatch.GetElapsedTime(started).TotalSeconds);
        return result;
    }
}
