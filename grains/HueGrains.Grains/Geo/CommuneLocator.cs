using System.Collections.Frozen;
using HueGrains.Persistence;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;

namespace HueGrains.Grains.Geo;

/// <summary>
/// Places a position in a commune, on every silo from its own memory: the loaded boundaries in an STRtree of prepared
/// geometries, and the approximate centroids of the communes still without one. The index is rebuilt when the store's
/// boundary version moves: at once on the silo that stored a boundary, within <see cref="RefreshInterval"/> on the others
/// (measured on the machine's monotonic clock, not the platform's TimeProvider, which tests freeze).
/// </summary>
public sealed class CommuneLocator(IBoundaryStore store) : IDisposable
{
    /// <summary>How stale another silo's boundary change may be here: one cheap version query at most this often.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    /// <summary>A position farther than this from every centroid of a commune without boundary is outside the city.</summary>
    public const double MaxCentroidDistanceMeters = 15_000;

    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile BoundaryIndex? _index;
    private long _checkedAt; // Environment.TickCount64 of the last version check

    /// <summary>The index, checked against the store's version at most every <see cref="RefreshInterval"/>.</summary>
    public async ValueTask<BoundaryIndex> CurrentAsync(CancellationToken ct)
    {
        var now = Environment.TickCount64;
        if (_index is { } index && now - Interlocked.Read(ref _checkedAt) < RefreshInterval.TotalMilliseconds) return index;
        await _reload.WaitAsync(ct);
        try
        {
            if (_index is { } fresh && now - Interlocked.Read(ref _checkedAt) < RefreshInterval.TotalMilliseconds) return fresh;
            var version = await store.VersionAsync(ct);
            if (_index is not { } loaded || loaded.Version != version) _index = BoundaryIndex.Build(await store.LoadAllAsync(ct));
            Interlocked.Exchange(ref _checkedAt, now);
            return _index!;
        }
        finally
        {
            _reload.Release();
        }
    }

    /// <summary>Rebuilds now (this silo just stored a boundary).</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        await _reload.WaitAsync(ct);
        try
        {
            _index = BoundaryIndex.Build(await store.LoadAllAsync(ct));
            Interlocked.Exchange(ref _checkedAt, Environment.TickCount64);
        }
        finally
        {
            _reload.Release();
        }
    }

    public void Dispose() => _reload.Dispose();

    public async Task<Placement> LocateAsync(double latitude, double longitude, CancellationToken ct) =>
        (await CurrentAsync(ct)).Locate(latitude, longitude);
}

/// <summary>One immutable generation of the boundaries: safe to read from any thread while the next is built.</summary>
public sealed class BoundaryIndex
{
    private readonly STRtree<(string Commune, IPreparedGeometry Shape)> _tree = new();

    private BoundaryIndex(IReadOnlyList<CommuneBoundary> boundaries)
    {
        Boundaries = boundaries.ToFrozenDictionary(b => b.Commune);
        Version = boundaries.Count == 0 ? 0 : boundaries.Max(b => b.Version);
        foreach (var boundary in boundaries)
        {
            var geometry = BoundaryGeometry.Read(boundary.GeometryJson);
            _tree.Insert(geometry.EnvelopeInternal, (boundary.Commune, PreparedGeometryFactory.Prepare(geometry)));
        }
        _tree.Build();
    }

    public static BoundaryIndex Build(IReadOnlyList<CommuneBoundary> boundaries) => new(boundaries);

    public long Version { get; }

    public FrozenDictionary<string, CommuneBoundary> Boundaries { get; }

    /// <summary>
    /// The commune whose boundary covers the position; while some communes have none, the nearest of their centroids
    /// within <see cref="CommuneLocator.MaxCentroidDistanceMeters"/>. A position on two boundaries (their shared edge,
    /// or an overlap) is ambiguous and placed nowhere, like one outside the city: the triage list keeps both.
    /// </summary>
    public Placement Locate(double latitude, double longitude)
    {
        var point = BoundaryGeometry.Factory.CreatePoint(new Coordinate(longitude, latitude));
        var covering = _tree.Query(point.EnvelopeInternal).Where(e => e.Shape.Covers(point)).Select(e => e.Commune).Distinct().ToList();
        if (covering.Count == 1) return new Placement(covering[0], Routing.Boundary);
        if (covering.Count > 1) return new Placement(null, null, $"ambiguous: on the boundaries of {string.Join(", ", covering.Order(StringComparer.Ordinal))}");

        var nearest = CommuneCentroids.All
            .Where(c => !Boundaries.ContainsKey(c.Key))
            .Select(c => (Commune: c.Key, Meters: GeoDistance.Meters(latitude, longitude, c.Value.Latitude, c.Value.Longitude)))
            .OrderBy(c => c.Meters).ThenBy(c => c.Commune, StringComparer.Ordinal)
            .FirstOrDefault();
        return nearest.Commune is not null && nearest.Meters <= CommuneLocator.MaxCentroidDistanceMeters
            ? new Placement(nearest.Commune, Routing.Approximate)
            : new Placement(null, null, "outside the city");
    }

    /// <summary>False when the commune has a boundary and the position lies outside it; null when it has none.</summary>
    public bool? Covers(string commune, double latitude, double longitude)
    {
        if (!Boundaries.ContainsKey(commune)) return null;
        var point = BoundaryGeometry.Factory.CreatePoint(new Coordinate(longitude, latitude));
        return _tree.Query(point.EnvelopeInternal).Any(e => e.Commune == commune && e.Shape.Covers(point));
    }
}
