using System.Globalization;
using Npgsql;

namespace HueGrains.Persistence;

/// <summary>The access log in <c>hue_personal_data_reads</c> (deploy/sql/008).</summary>
public sealed class PostgresAccessLog(NpgsqlDataSource db) : IAccessLog
{
    public async Task AppendAsync(string citizenId, AccessEntry entry, CancellationToken ct)
    {
        await using var insert = db.CreateCommand("""
            INSERT INTO hue_personal_data_reads (citizen_id, at, reader_role, reader_commune, reader_account, purpose, case_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """);
        foreach (var value in new object?[] { citizenId, entry.At.ToUniversalTime(), entry.ReaderRole, entry.ReaderCommune, entry.ReaderAccount, entry.Purpose, entry.CaseId })
            insert.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        try
        {
            await insert.ExecuteNonQueryAsync(ct);
        }
        catch (NpgsqlException ex)
        {
            // Not recorded, so not read: the caller gets no personal data, and a 503 to retry (the error crosses grains as text).
            throw new HueUnavailableException($"The access log could not record this read ({(ex as PostgresException)?.SqlState ?? "connection"}: {ex.Message}).", 2);
        }
    }

    public async Task<IReadOnlyList<AccessEntry>> ReadAsync(string citizenId, PageCursor? after, int limit, CancellationToken ct)
    {
        await using var query = db.CreateCommand($"""
            SELECT id, at, reader_role, reader_commune, reader_account, purpose, case_id FROM hue_personal_data_reads
            WHERE citizen_id = $1 {(after is null ? "" : "AND (at, id) < ($3, $4)")}
            ORDER BY at DESC, id DESC LIMIT $2
            """);
        query.Parameters.Add(new NpgsqlParameter { Value = citizenId });
        query.Parameters.Add(new NpgsqlParameter { Value = limit });
        if (after is not null)
        {
            query.Parameters.Add(new NpgsqlParameter { Value = after.At.ToUniversalTime() });
            query.Parameters.Add(new NpgsqlParameter { Value = long.TryParse(after.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0L });
        }
        var entries = new List<AccessEntry>();
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            entries.Add(new AccessEntry(new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero), reader.GetString(2), Text(3), Text(4),
                reader.GetString(5), Text(6), EntryIds.Of(reader.GetInt64(0))));
        }
        return entries;
    }
}

/// <summary>Entry ids as fixed-width text, so their ordinal order is their numeric order (the cursor compares text).</summary>
public static class EntryIds
{
    public static string Of(long id) => id.ToString("D19", CultureInfo.InvariantCulture);
}
