namespace HueGrains;

public static class GrainFactoryExtensions
{
    /// <summary>The sensor grain of a device id; always use this, never the raw id, as the grain key.</summary>
    public static ISensorGrain Sensor(this IGrainFactory grains, string sensorId) => grains.GetGrain<ISensorGrain>(Keys.SensorKey(sensorId));
}
