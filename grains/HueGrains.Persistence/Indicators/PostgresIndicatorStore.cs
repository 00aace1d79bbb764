using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using NpgsqlTypes;

namespace HueGrains.Persistence;

/// <summary>Indicator snapshots in <c>hue_indicator_history</c> (deploy/sql/006), one jsonb row per scope and minute.</summary>
public sealed class PostgresIndicatorStore(NpgsqlDataSource db) : IIndicatorStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public async Task AppendAsync(IReadOnlyList<IndicatorSample> samples, CancellationToken ct)
    {
        await using var insert = db.CreateCommand("""
            INSERT INTO hue_indicator_history (scope, at, sample)
            SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::jsonb[])
            ON CONFLICT (scope, at) DO UPDATE SET sample = excluded.sample
            """);
        insert.Parameters.Add(new NpgsqlParameter { Value = samples.Select(s => s.Scope).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = samples.Select(s => s.At.ToUniversalTime()).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter
        {
            Value = samples.Select(s => JsonSerializer.Serialize(s, Json)).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
        });
        await insert.ExecuteNonQueryAsync(ct);
    }

    public Task<IReadOnlyList<IndicatorSample>> ReadAsync(string? scope, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        QueryAsync("""
            SELECT sample FROM hue_indicator_history
            WHERE ($1::text IS NULL OR scope = $1) AND at >= $2 AND at < $3 ORDER BY at
            """, scope, from, to, ct);

    public Task<IReadOnlyList<IndicatorSample>> DailyAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        QueryAsync("""
            SELECT DISTINCT ON (scope, date_bin('1 day', at, $4)) sample FROM hue_indicator_history
            WHERE ($1::text IS NULL OR scope = $1) AND at >= $2 AND at < $3
            ORDER BY scope, date_bin('1 day', at, $4), at DESC
            """, null, from, to, ct);

    /// <summary>Aggregated in the database: a day of minute snapshots of 41 scopes is ~60,000 rows, too many to ship.</summary>
    public async Task<IReadOnlyList<KindHour>> HourlyAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var query = db.CreateCommand("""
            SELECT scope, k->>'kind', date_bin('1 hour', at, $3), max((k->>'sensors')::int),
                   round(avg((k->>'mean')::float8)::numeric, 3)::float8, max((k->>'max')::float8)
            FROM hue_indicator_history, jsonb_array_elements(sample->'sensors') AS k
            WHERE at >= $1 AND at < $2
            GROUP BY 1, 2, 3 ORDER BY 3, 1, 2
            """);
        query.Parameters.Add(new NpgsqlParameter { Value = from.ToUniversalTime() });
        query.Parameters.Add(new NpgsqlParameter { Value = to.ToUniversalTime() });
        query.Parameters.Add(new NpgsqlParameter { Value = TimeBuckets.Origin.ToUniversalTime() });
        var hours = new List<KindHour>();
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var kind = JsonSerializer.Deserialize<SensorKind>($"\"{reader.GetString(1)}\"", Json);
            hours.Add(new KindHour(reader.GetString(0), kind, new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero), reader.GetInt32(3),
                reader.IsDBNull(4) ? null : reader.GetDouble(4), reader.IsDBNull(5) ? null : reader.GetDouble(5)));
        }
        return [.. hours.OrderBy(h => h.Hour).ThenBy(h => h.Scope, StringComparer.Ordinal).ThenBy(h => h.Kind)];
    }

    private async Task<IReadOnlyList<IndicatorSample>> QueryAsync(string sql, string? scope, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var query = db.CreateCommand(sql);
        query.Parameters.Add(new NpgsqlParameter { Value = (object?)scope ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        query.Parameters.Add(new NpgsqlParameter { Value = from.ToUniversalTime() });
        query.Parameters.Add(new NpgsqlParameter { Value = to.ToUniversalTime() });
        if (sql.Contains("$4", StringComparison.Ordinal)) query.Parameters.Add(new NpgsqlParameter { Value = TimeBuckets.Origin.ToUniversalTime() });
        var samples = new List<IndicatorSample>();
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) samples.Add(JsonSerializer.Deserialize<IndicatorSample>(reader.GetString(0), Json)!);
        return [.. samples.OrderBy(s => s.At).ThenBy(s => s.Scope, StringComparer.Ordinal)];
    }

    /// <summary>Deletes snapshots older than <paramref name="keepFrom"/>; returns how many.</summary>
    public async Task<int> ExpireAsync(DateTimeOffset keepFrom, CancellationToken ct)
    {
        await using var delete = db.CreateCommand("DELETE FROM hue_indicator_history WHERE at < $1");
        delete.Parameters.Add(new NpgsqlParameter { Value = keepFrom.ToUniversalTime() });
        return await delete.ExecuteNonQueryAsync(ct);
    }
}
