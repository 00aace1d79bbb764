using Npgsql;

namespace HueGrains.Persistence;

public sealed class PostgresBoundaryStore(NpgsqlDataSource db) : IBoundaryStore
{
    public async Task<IReadOnlyList<CommuneBoundary>> LoadAllAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand("SELECT commune, geometry, version, updated_at FROM hue_commune_boundaries");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var boundaries = new List<CommuneBoundary>();
        while (await reader.ReadAsync(ct))
            boundaries.Add(new CommuneBoundary(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero)));
        return boundaries;
    }

    public async Task<CommuneBoundary> SaveAsync(string commune, string geometryJson, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            INSERT INTO hue_commune_boundaries (commune, geometry, version, updated_at)
            VALUES ($1, $2, nextval('hue_commune_boundary_versions'), $3)
            ON CONFLICT (commune) DO UPDATE SET geometry = EXCLUDED.geometry, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
            RETURNING version
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = commune });
        command.Parameters.Add(new NpgsqlParameter { Value = geometryJson });
        command.Parameters.Add(new NpgsqlParameter { Value = at.ToUniversalTime() });
        var version = (long)(await command.ExecuteScalarAsync(ct))!;
        return new CommuneBoundary(commune, geometryJson, version, at);
    }

    public async Task<long> VersionAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand("SELECT COALESCE(max(version), 0) FROM hue_commune_boundaries");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
