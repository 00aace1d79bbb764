namespace HueGrains.Api.Ingest;

/// <summary>Decides whether a device key belongs to a sensor without activating anything for an id nobody provisioned.</summary>
public interface IDeviceKeyCheck
{
    Task<bool> IsDeviceKeyAsync(string sensorId, string deviceKeyHash, CancellationToken ct);
}

/// <summary>
/// Asks the sensor projection (a row per provisioned sensor, read by a stateless worker) whether the sensor exists, and
/// only then its grain, which holds the key's hash: made-up ids cost a lookup, never an activation.
/// </summary>
public sealed class DeviceKeyCheck(IClusterClient cluster) : IDeviceKeyCheck
{
    public async Task<bool> IsDeviceKeyAsync(string sensorId, string deviceKeyHash, CancellationToken ct) =>
        Keys.IsSensorId(sensorId)
        && await cluster.Projections().SensorProvisioned(sensorId, ct)
        && await cluster.Sensor(sensorId).IsDeviceKey(deviceKeyHash, ct);
}
