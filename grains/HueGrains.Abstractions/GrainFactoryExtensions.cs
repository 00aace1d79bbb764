namespace HueGrains;

public static class GrainFactoryExtensions
{
    /// <summary>The sensor grain of a device id; always use this, never the raw id, as the grain key.</summary>
    public static ISensorGrain Sensor(this IGrainFactory grains, string sensorId) =>
        GrainRefs<ISensorGrain>.Get(grains, Keys.SensorKey(sensorId), static (g, key) => g.GetGrain<ISensorGrain>(key));

    /// <summary>A commune's grain (the key is its national unit code).</summary>
    public static ICommuneGrain Commune(this IGrainFactory grains, string code) =>
        GrainRefs<ICommuneGrain>.Get(grains, code, static (g, key) => g.GetGrain<ICommuneGrain>(key));

    /// <summary>The City grain.</summary>
    public static ICityGrain City(this IGrainFactory grains) =>
        GrainRefs<ICityGrain>.Get(grains, Keys.City, static (g, key) => g.GetGrain<ICityGrain>(key));

    /// <summary>Queries over the projections (a stateless worker: the local silo answers).</summary>
    public static IProjectionsGrain Projections(this IGrainFactory grains) => GrainRefs<IProjectionsGrain>.Get(grains, 0);
}

/// <summary>
/// References made without reflection per call. Orleans' <c>GetGrain&lt;T&gt;(key)</c> resolves T's interface type from
/// its attributes (<c>GetCustomAttributes</c>) on every call, which showed in the ingest profile; this resolves the grain
/// type and interface type once per interface and then builds references from a <see cref="GrainId"/>.
/// </summary>
internal static class GrainRefs<TGrain> where TGrain : IAddressable
{
    private static (GrainType Type, GrainInterfaceType Interface)? _resolved;

    public static TGrain Get(IGrainFactory grains, string key, Func<IGrainFactory, string, TGrain> first)
    {
        if (_resolved is not { } types) return Remember(first(grains, key));
        return (TGrain)grains.GetGrain(GrainId.Create(types.Type, IdSpan.Create(key)), types.Interface);
    }

    public static TGrain Get(IGrainFactory grains, long key)
    {
        if (_resolved is not { } types) return Remember((TGrain)(object)grains.GetGrain(typeof(TGrain), key));
        return (TGrain)grains.GetGrain(GrainId.Create(types.Type, GrainIdKeyExtensions.CreateIntegerKey(key)), types.Interface);
    }

    private static TGrain Remember(TGrain grain)
    {
        if (grain is GrainReference reference) _resolved = (reference.GrainId.Type, reference.InterfaceType);
        return grain;
    }
}
