namespace HueGrains;

public static class GrainFactoryExtensions
{
    /// <summary>The sensor grain of a device id; always use this, never the raw id, as the grain key.</summary>
    public static ISensorGrain Sensor(this IGrainFactory grains, string sensorId) => grains.GetGrain<ISensorGrain>(Keys.SensorKey(sensorId));

    /// <summary>Queries over the projections (a stateless worker: the local silo answers).</summary>
    public static IProjectionsGrain Projections(this IGrainFactory grains) => grains.GetGrain<IProjectionsGrain>(0);
}
