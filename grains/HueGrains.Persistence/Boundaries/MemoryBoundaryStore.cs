namespace HueGrains.Persistence;

/// <summary>The embedded mode's boundaries: one grain holds them, so every silo of a local cluster sees the same.</summary>
public sealed class MemoryBoundaryStore(IGrainFactory grains) : IBoundaryStore
{
    private IMemoryBoundariesGrain Rows => grains.GetGrain<IMemoryBoundariesGrain>(0);

    public Task<IReadOnlyList<CommuneBoundary>> LoadAllAsync(CancellationToken ct) => Rows.All();

    public Task<CommuneBoundary> SaveAsync(string commune, string geometryJson, DateTimeOffset at, CancellationToken ct) =>
        Rows.Save(commune, geometryJson, at);

    public Task<long> VersionAsync(CancellationToken ct) => Rows.Version();
}

[Alias("hue.IMemoryBoundariesGrain")]
public interface IMemoryBoundariesGrain : IGrainWithIntegerKey
{
    [Alias("All")] Task<IReadOnlyList<CommuneBoundary>> All();
    [Alias("Save")] Task<CommuneBoundary> Save(string commune, string geometryJson, DateTimeOffset at);
    [Alias("Version")] Task<long> Version();
}

[GrainType("memory-boundaries"), KeepAlive] // the only copy in memory mode: never collected
public sealed class MemoryBoundariesGrain : Grain, IMemoryBoundariesGrain
{
    private readonly Dictionary<string, CommuneBoundary> _boundaries = [];
    private long _version;

    public Task<IReadOnlyList<CommuneBoundary>> All() => Task.FromResult<IReadOnlyList<CommuneBoundary>>([.. _boundaries.Values]);

    public Task<CommuneBoundary> Save(string commune, string geometryJson, DateTimeOffset at)
    {
        var boundary = new CommuneBoundary(commune, geometryJson, ++_version, at);
        _boundaries[commune] = boundary;
        return Task.FromResult(boundary);
    }

    public Task<long> Version() => Task.FromResult(_version);
}
