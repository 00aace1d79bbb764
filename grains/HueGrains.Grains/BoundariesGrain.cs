using HueGrains.Grains.Geo;
using HueGrains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;

namespace HueGrains.Grains;

/// <summary>Commune boundaries: writes go to the store, reads come from this silo's index (<see cref="CommuneLocator"/>).</summary>
[GrainType("boundaries"), StatelessWorker]
public sealed class BoundariesGrain(IBoundaryStore store, CommuneLocator locator, [FromKeyedServices(HueTime.Key)] TimeProvider clock) : Grain, IBoundariesGrain
{
    public async Task<CommuneBoundary> Put(string commune, string geoJson, CancellationToken ct)
    {
        if (!Keys.IsCommune(commune)) throw new HueNotFoundException($"No commune has code '{commune}'.");
        var (_, json) = BoundaryGeometry.Parse(geoJson);
        var stored = await store.SaveAsync(commune, json, clock.GetUtcNow(), ct);
        await locator.ReloadAsync(ct);
        return stored;
    }

    public async Task<CommuneBoundary?> Get(string commune, CancellationToken ct) =>
        (await locator.CurrentAsync(ct)).Boundaries.GetValueOrDefault(commune);

    public async Task<IReadOnlyList<CommuneShape>> Shapes(CancellationToken ct)
    {
        var index = await locator.CurrentAsync(ct);
        return [.. CityMap.Communes.Select(c => index.Boundaries.TryGetValue(c.Code, out var boundary)
            ? new CommuneShape(c.Code, boundary.GeometryJson, null, boundary.Version)
            : new CommuneShape(c.Code, null, CommuneCentroids.Find(c.Code)))];
    }

    public Task<Placement> Locate(GeoPoint point, CancellationToken ct) => locator.LocateAsync(point.Latitude, point.Longitude, ct);
}
