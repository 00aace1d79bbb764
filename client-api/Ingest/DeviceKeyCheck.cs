namespace HueGrains.Api.Ingest;

/// <summary>Decides whether a device key belongs to a sensor without activating anything for an id nobody provisioned.</summary>
public interface IDeviceKeyCheck
{
    Task<bool> IsDeviceKeyAsync(string sensorId, string deviceKeyHash, CancellationToken ct);
}

/// <summary>
/// Finds the key's sensor in the key index (the sensors' projection) and only then asks that sensor's grain, which
/// holds the current key: made-up ids and keys cost a lookup, never an activation, and a key rotated a moment ago is
/// refused by the grain even while the index still remembers it.
/// </summary>
public sealed class DeviceKeyCheck(IDeviceKeyIndex index, IClusterClient cluster) : IDeviceKeyCheck
{
    public async Task<bool> IsDeviceKeyAsync(string sensorId, string deviceKeyHash, CancellationToken ct) =>
        Keys.IsSensorId(sensorId)
        && await index.SensorOfAsync(deviceKeyHash, ct) == sensorId
        && await cluster.Sensor(sensorId).IsDeviceKey(deviceKeyHash, ct);
}
