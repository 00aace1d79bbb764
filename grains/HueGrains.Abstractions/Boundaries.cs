namespace HueGrains;

/// <summary>How a report found its commune: given by the reporter (null), or placed by the platform.</summary>
public static class Routing
{
    /// <summary>The position lies inside the commune's loaded boundary.</summary>
    public const string Boundary = "boundary";

    /// <summary>The commune has no boundary yet: the nearest approximate centroid decided.</summary>
    public const string Approximate = "approximate";

    /// <summary>A dispatcher routed it from the triage list.</summary>
    public const string Manual = "manual";
}

/// <summary>Where a position belongs: a commune and how it was found, or none (outside the city, or ambiguous) and why.</summary>
[GenerateSerializer, Immutable, Alias("hue.Placement")]
public sealed record Placement(
    [property: Id(0)] string? Commune,
    [property: Id(1)] string? Routing,
    [property: Id(2)] string? Unplaced = null);

/// <summary>A commune's official boundary as stored: GeoJSON geometry (Polygon or MultiPolygon, WGS 84).</summary>
[GenerateSerializer, Immutable, Alias("hue.CommuneBoundary")]
public sealed record CommuneBoundary(
    [property: Id(0)] string Commune,
    [property: Id(1)] string GeometryJson,
    [property: Id(2)] long Version,
    [property: Id(3)] DateTimeOffset UpdatedAt);

/// <summary>
/// A commune as the map draws it: its boundary when loaded (with the boundary's version, so the edge can keep the
/// boundary serialised until it changes), otherwise its approximate centroid.
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.CommuneShape")]
public sealed record CommuneShape(
    [property: Id(0)] string Commune,
    [property: Id(1)] string? GeometryJson,
    [property: Id(2)] GeoPoint? Centroid,
    [property: Id(3)] long Version = 0);

/// <summary>
/// Commune boundaries: stored durably, answered from the index each silo keeps in memory (refreshed when a boundary
/// changes). Stateless: any silo answers.
/// </summary>
[Alias("hue.IBoundariesGrain")]
public interface IBoundariesGrain : IGrainWithIntegerKey
{
    /// <summary>Validates and stores a commune's boundary (GeoJSON Polygon, MultiPolygon or a Feature of one).</summary>
    [Alias("Put")]
    Task<CommuneBoundary> Put(string commune, string geoJson, CancellationToken ct = default);

    [Alias("Get")]
    Task<CommuneBoundary?> Get(string commune, CancellationToken ct = default);

    /// <summary>The 40 communes, each with its boundary or its approximate centroid.</summary>
    [Alias("Shapes")]
    Task<IReadOnlyList<CommuneShape>> Shapes(CancellationToken ct = default);

    [Alias("Locate")]
    Task<Placement> Locate(GeoPoint point, CancellationToken ct = default);
}
