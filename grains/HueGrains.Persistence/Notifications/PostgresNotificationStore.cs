using System.Globalization;
using Npgsql;

namespace HueGrains.Persistence;

/// <summary>Notifications in PostgreSQL (deploy/sql/013): the fan-out is one <c>hue_notify_fan_out</c> INSERT…SELECT per change.</summary>
public sealed class PostgresNotificationStore(NpgsqlDataSource db) : INotificationStore
{
    private const string Columns = "id, at, kind, entity_id, commune, title_vi, title_en, read_at IS NOT NULL";

    public Task SetHomeAsync(string citizenId, string commune, CancellationToken ct) => ExecuteAsync("""
        INSERT INTO hue_notify_homes (citizen_id, commune) VALUES ($1, $2)
        ON CONFLICT (citizen_id) DO UPDATE SET commune = excluded.commune
        """, ct, citizenId, commune);

    public Task FollowAsync(string citizenId, string feedbackId, CancellationToken ct) => ExecuteAsync(
        "INSERT INTO hue_notify_follows (feedback_id, citizen_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", ct, feedbackId, citizenId);

    public Task UnfollowAsync(string citizenId, string feedbackId, CancellationToken ct) => ExecuteAsync(
        "DELETE FROM hue_notify_follows WHERE feedback_id = $1 AND citizen_id = $2", ct, feedbackId, citizenId);

    public Task<IReadOnlyList<CitizenPlace>> PlacesAsync(string citizenId, CancellationToken ct) => QueryAsync(
        "SELECT place_id, name, latitude, longitude, radius_m, created_at FROM hue_notify_places WHERE citizen_id = $1 ORDER BY created_at, place_id",
        r => new CitizenPlace(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetFieldValue<DateTimeOffset>(5)),
        ct, citizenId);

    /// <summary>The first key of the two-key advisory locks on a citizen's places (the second is the citizen id's hash).</summary>
    private const int PlacesLock = 7_240_013;

    public async Task<bool> AddPlaceAsync(string citizenId, CitizenPlace place, int maxPlaces, CancellationToken ct)
    {
        // The count and the insert in one transaction that first takes a lock on the citizen, in its own statement: the
        // counting statement starts once the lock is held, so its snapshot sees every place an earlier holder committed.
        // (Taken inside the counting statement, the lock came after that statement's snapshot and, in autocommit, was
        // released at its end: concurrent adds could all pass the count.) Two keys: apart from the one-key locks.
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var claim = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1, hashtext($2))", connection, tx))
        {
            claim.Parameters.Add(new NpgsqlParameter<int> { TypedValue = PlacesLock });
            claim.Parameters.Add(new NpgsqlParameter<string> { TypedValue = citizenId });
            await claim.ExecuteNonQueryAsync(ct);
        }
        await using var insert = new NpgsqlCommand("""
            INSERT INTO hue_notify_places (place_id, citizen_id, name, latitude, longitude, radius_m, created_at)
            SELECT $2, $1, $3, $4, $5, $6, $7
            WHERE (SELECT count(*) FROM hue_notify_places WHERE citizen_id = $1) < $8
            """, connection, tx);
        foreach (var value in new object?[] { citizenId, place.Id, place.Name, place.Latitude, place.Longitude, place.Radius, place.CreatedAt.ToUniversalTime(), maxPlaces })
            insert.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        var added = await insert.ExecuteNonQueryAsync(ct) == 1;
        await tx.CommitAsync(ct);
        return added;
    }

    public async Task<bool> RemovePlaceAsync(string citizenId, string placeId, CancellationToken ct) =>
        await ExecuteAsync("DELETE FROM hue_notify_places WHERE citizen_id = $1 AND place_id = $2", ct, citizenId, placeId) == 1;

    public Task<IReadOnlyList<Notification>> InboxAsync(string citizenId, bool unreadOnly, PageCursor? after, int limit, CancellationToken ct) =>
        QueryAsync($"""
            SELECT {Columns} FROM hue_notifications
            WHERE citizen_id = $1 {(unreadOnly ? "AND read_at IS NULL" : "")} AND ($3::timestamptz IS NULL OR (at, id) < ($3, $4))
            ORDER BY at DESC, id DESC LIMIT $2
            """, Read, ct, citizenId, limit, (object?)after?.At.ToUniversalTime() ?? DBNull.Value, IdOf(after?.Id));

    public Task<IReadOnlyList<Notification>> SinceAsync(string citizenId, string? afterId, int limit, CancellationToken ct) =>
        QueryAsync($"SELECT {Columns} FROM hue_notifications WHERE citizen_id = $1 AND id > $2 ORDER BY id LIMIT $3",
            Read, ct, citizenId, IdOf(afterId), limit);

    public Task<int> MarkReadAsync(string citizenId, IReadOnlyList<string>? ids, PageCursor? upTo, CancellationToken ct) => ExecuteAsync("""
        UPDATE hue_notifications SET read_at = now()
        WHERE citizen_id = $1 AND read_at IS NULL AND (id = ANY($2) OR ($3::timestamptz IS NOT NULL AND (at, id) <= ($3, $4)))
        """, ct, citizenId, (ids ?? []).Select(IdOf).ToArray(), (object?)upTo?.At.ToUniversalTime() ?? DBNull.Value, IdOf(upTo?.Id));

    public async Task<long> CheckpointAsync(CancellationToken ct)
    {
        await using var query = db.CreateCommand("SELECT position FROM hue_notify_checkpoint");
        return (long)(await query.ExecuteScalarAsync(ct))!;
    }

    public async Task<bool> FanOutAsync(long from, long through, IReadOnlyList<NotificationDraft> drafts, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var claim = new NpgsqlCommand("SELECT position FROM hue_notify_checkpoint FOR UPDATE", connection, tx))
        {
            if ((long)(await claim.ExecuteScalarAsync(ct))! != from) return false; // another silo handled these changes
        }
        await using var batch = new NpgsqlBatch(connection, tx);
        foreach (var d in drafts)
        {
            var command = new NpgsqlBatchCommand("SELECT hue_notify_fan_out($1, $2, $3, $4, $5, $6, $7, $8, $9)");
            foreach (var value in new object?[] { d.Position, d.At.ToUniversalTime(), d.Kind, d.EntityId, d.Commune, d.Latitude, d.Longitude, d.TitleVi, d.TitleEn })
                command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
            // Typed explicitly: a null commune or position would otherwise leave the function's overload unresolved.
            command.Parameters[4].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
            command.Parameters[5].NpgsqlDbType = command.Parameters[6].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double;
            batch.BatchCommands.Add(command);
        }
        var move = new NpgsqlBatchCommand("UPDATE hue_notify_checkpoint SET position = $1");
        move.Parameters.Add(new NpgsqlParameter { Value = through });
        batch.BatchCommands.Add(move);
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>In slices of 10,000 rows (index on at, deploy/sql/014), so that no transaction holds a day of inboxes.</summary>
    public async Task<int> ForgetBeforeAsync(DateTimeOffset before, CancellationToken ct)
    {
        const int Slice = 10_000;
        var forgotten = 0;
        await using var connection = await db.OpenConnectionAsync(ct);
        while (true)
        {
            await using var delete = new NpgsqlCommand(
                "DELETE FROM hue_notifications WHERE id IN (SELECT id FROM hue_notifications WHERE at < $1 ORDER BY at LIMIT $2)", connection);
            delete.Parameters.Add(new NpgsqlParameter { Value = before.ToUniversalTime() });
            delete.Parameters.Add(new NpgsqlParameter { Value = Slice });
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            forgotten += deleted;
            if (deleted < Slice) return forgotten;
        }
    }

    private static Notification Read(NpgsqlDataReader r) => new(EntryIds.Of(r.GetInt64(0)), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3),
        r.IsDBNull(4) ? null : r.GetString(4), r.GetString(5), r.GetString(6), r.GetBoolean(7));

    private static long IdOf(string? id) => long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private async Task<int> ExecuteAsync(string sql, CancellationToken ct, params object?[] values)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, CancellationToken ct, params object?[] values)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        var items = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) items.Add(read(reader));
        return items;
    }
}
