namespace HueGrains.Persistence;

/// <summary>Commune boundaries, durable: PostgreSQL (deploy/sql/011) or, embedded, one in-memory grain every silo shares.</summary>
public interface IBoundaryStore
{
    Task<IReadOnlyList<CommuneBoundary>> LoadAllAsync(CancellationToken ct);

    /// <summary>Stores (or replaces) a commune's boundary with a version higher than any before.</summary>
    Task<CommuneBoundary> SaveAsync(string commune, string geometryJson, DateTimeOffset at, CancellationToken ct);

    /// <summary>The highest version stored (0 when none): a silo reloads its index when this moves.</summary>
    Task<long> VersionAsync(CancellationToken ct);
}
