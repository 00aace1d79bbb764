using Npgsql;

namespace HueGrains.Persistence;

/// <summary>The change feed in <c>hue_changes</c> (deploy/sql/010): positions visible in commit order, read by keyset.</summary>
public sealed class PostgresChangeFeed(NpgsqlDataSource db) : IChangeFeed
{
    public async Task AppendAsync(string type, string entityId, string? commune, long version, string data, CancellationToken ct)
    {
        await using var append = db.CreateCommand("SELECT hue_append_change($1, $2, $3, $4, $5::jsonb)");
        foreach (var value in new object?[] { type, entityId, commune, version, data })
            append.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        await append.ExecuteScalarAsync(ct);
    }

    public async Task<ChangePage> ReadAsync(ChangeQuery query, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var read = PageCommand(query, connection);
        var items = new List<ChangeRecord>();
        await using (var reader = await read.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                items.Add(new ChangeRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.GetInt64(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(6)));
        await using var bounds = new NpgsqlCommand(
            // The head is never below what retention deleted: an emptied feed still knows how far it went.
            "SELECT f, GREATEST(f, (SELECT coalesce(max(position), 0) FROM hue_changes)) FROM (SELECT forgotten_through AS f FROM hue_change_retention) r", connection);
        await using var b = await bounds.ExecuteReaderAsync(ct);
        await b.ReadAsync(ct);
        return new ChangePage(items, b.GetInt64(0), Math.Max(b.GetInt64(1), items.Count > 0 ? items[^1].Position : 0));
    }

    /// <summary>One page of changes after the cursor, oldest first (a type filter is served by hue_changes_type, deploy/sql/015).</summary>
    internal static NpgsqlCommand PageCommand(ChangeQuery query, NpgsqlConnection connection)
    {
        var filters = new List<string> { "position > $1" };
        var parameters = new List<object> { query.After };
        void Add(string sql, object value)
        {
            parameters.Add(value);
            filters.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, "$" + parameters.Count));
        }
        if (query.Types is { } types) Add("type = ANY({0})", types.ToArray());
        if (query.Commune is { } commune) Add("commune = {0}", commune);
        if (query.CaseCommunes is { } caseCommunes) Add($"(type <> '{ChangeTypes.Case}' OR commune = ANY({{0}}))", caseCommunes.ToArray());
        parameters.Add(query.Limit);
        var read = new NpgsqlCommand($"""
            SELECT position, type, entity_id, commune, version, at, data::text FROM hue_changes
            WHERE {string.Join(" AND ", filters)} ORDER BY position LIMIT ${parameters.Count}
            """, connection);
        foreach (var value in parameters) read.Parameters.Add(new NpgsqlParameter { Value = value });
        return read;
    }

    public async Task<int> ForgetAsync(DateTimeOffset entitiesBefore, DateTimeOffset indicatorsBefore, CancellationToken ct)
    {
        await using var forget = db.CreateCommand($"""
            WITH gone AS (
                DELETE FROM hue_changes
                WHERE at < $1 OR (type IN ('{ChangeTypes.Commune}', '{ChangeTypes.City}') AND at < $2)
                RETURNING position, type),
            noted AS (
                UPDATE hue_change_retention
                SET forgotten_through = GREATEST(forgotten_through,
                    coalesce((SELECT max(position) FROM gone WHERE type NOT IN ('{ChangeTypes.Commune}', '{ChangeTypes.City}')), 0)))
            SELECT count(*) FROM gone
            """);
        forget.Parameters.Add(new NpgsqlParameter { Value = entitiesBefore.ToUniversalTime() });
        forget.Parameters.Add(new NpgsqlParameter { Value = indicatorsBefore.ToUniversalTime() });
        return (int)(long)(await forget.ExecuteScalarAsync(ct))!;
    }
}
