using System.Data;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace HueGrains.Persistence;

/// <summary>
/// The projections in PostgreSQL (deploy/sql/007): rows the grain-state trigger keeps, read with keyset paging. Each
/// list query is built from the filters actually given, so the planner sees plain predicates its indexes serve.
/// </summary>
public sealed class PostgresProjectionStore(NpgsqlDataSource db) : IProjectionStore
{
    private const string CaseColumns =
        "id, version, commune, procedure, citizen_id, status, filed_at, due_at, completed_at, closed_at, overdue, updated_at";

    private const string FeedbackColumns =
        "id, version, commune, category, reporter_id, status, submitted_at, due_at, resolved_at, rating, overdue, updated_at, " +
        "description, address, latitude, longitude, answer, photo_url";

    /// <summary>A sensor's snapshot as the grain-state serializer wrote it: property names as declared, enums as numbers.</summary>
    private static readonly JsonSerializerOptions SnapshotJson = new();

    public async Task<CommuneContents> LoadCommuneAsync(string commune, DateTimeOffset now, long? sensorsSince, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        // One snapshot of the database for all five reads: an item closing meanwhile is either open or in the totals.
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        // The oldest transaction this snapshot cannot see: the rows it misses were written by that one or a later one (016).
        var cursor = (await ReadAsync(connection, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint", [], r => r.GetInt64(0), ct))[0];
        var cases = await ReadAsync(connection, $"SELECT {CaseColumns} FROM hue_cases WHERE commune = $1 AND is_open",
            [commune], r => ReadCase(r).ToSnapshot(), ct);
        var feedback = await ReadAsync(connection, $"SELECT {FeedbackColumns} FROM hue_feedback WHERE commune = $1 AND is_open",
            [commune], r => ReadFeedback(r).ToSnapshot(), ct);
        var sensors = await ReadAsync(connection, sensorsSince is null ? "SELECT snapshot FROM hue_sensors WHERE commune = $1"
                : "SELECT snapshot FROM hue_sensors WHERE commune = $1 AND saved_xid >= $2::text::xid8",
            sensorsSince is { } since ? [commune, since] : [commune], r => JsonSerializer.Deserialize<SensorSnapshot>(r.GetString(0), SnapshotJson)!, ct);
        var totals = await TotalsAsync(connection, commune, now, ct);
        await tx.CommitAsync(ct);
        return new CommuneContents(cases, feedback, sensors, totals, cursor);
    }

    public async Task<ClosedTotals> TotalsAsync(string commune, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await TotalsAsync(connection, commune, now, ct);
    }

    public Task<IReadOnlyList<CaseRow>> CasesAsync(CaseQuery query, DateTimeOffset now, CancellationToken ct)
    {
        var sql = new Filter($"SELECT {CaseColumns} FROM hue_cases WHERE true");
        sql.Add("commune = {0}", query.Commune);
        sql.Add("citizen_id = {0}", query.CitizenId);
        sql.Add("status = {0}", query.Status is { } status ? (short)status : null);
        if (query.Overdue is { } overdue)
            sql.Add(overdue ? "is_open AND NOT paused AND (overdue OR due_at < {0})" : "NOT (is_open AND NOT paused AND (overdue OR due_at < {0}))", now);
        sql.Add("filed_at >= {0}", query.From);
        sql.Add("filed_at < {0}", query.To);
        if (query.After is { } after) sql.Add("(filed_at, id) < ({0}, {1})", after.At, after.Id);
        sql.Text.Append(" ORDER BY filed_at DESC, id DESC");
        sql.Add(" LIMIT {0}", query.Limit, where: false);
        return QueryAsync(sql, ReadCase, ct);
    }

    public Task<IReadOnlyList<FeedbackRow>> FeedbackAsync(FeedbackQuery query, DateTimeOffset now, CancellationToken ct)
    {
        var sql = new Filter($"SELECT {FeedbackColumns} FROM hue_feedback WHERE true");
        if (query.Unrouted) sql.Text.Append(" AND commune IS NULL");
        sql.Add("commune = {0}", query.Commune);
        sql.Add("reporter_id = {0}", query.ReporterId);
        sql.Add("id = ANY({0})", query.Ids?.ToArray());
        sql.Add("category = {0}", query.Category is { } category ? (short)category : null);
        sql.Add("category = ANY({0})", query.Categories is { Count: > 0 } categories ? categories.Select(c => (short)c).ToArray() : null);
        if (query.Open is { } open) sql.Text.Append(open ? " AND is_open" : " AND NOT is_open");
        sql.Add("submitted_at >= {0}", query.From);
        sql.Add("submitted_at < {0}", query.To);
        sql.AddArea(query.Area);
        if (query.After is { } after) sql.Add("(submitted_at, id) < ({0}, {1})", after.At, after.Id);
        sql.Text.Append(" ORDER BY submitted_at DESC, id DESC");
        sql.Add(" LIMIT {0}", query.Limit, where: false);
        return QueryAsync(sql, ReadFeedback, ct);
    }

    public async Task<IReadOnlyList<DailyCount>> DailyCountsAsync(EntityKind kind, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var sql = kind == EntityKind.Case
            ? "SELECT hue_local_day(filed_at), commune, procedure, count(*) FROM hue_cases WHERE filed_at >= $1 AND filed_at < $2 GROUP BY 1, 2, 3"
            : "SELECT hue_local_day(submitted_at), commune, category::text, count(*) FROM hue_feedback " +
              "WHERE submitted_at >= $1 AND submitted_at < $2 AND commune IS NOT NULL GROUP BY 1, 2, 3";
        await using var connection = await db.OpenConnectionAsync(ct);
        var counts = await ReadAsync(connection, sql, [from.ToUniversalTime(), to.ToUniversalTime()], r => new DailyCount(
            r.GetFieldValue<DateOnly>(0), r.GetString(1),
            kind == EntityKind.Case ? r.GetString(2) : ((FeedbackCategory)short.Parse(r.GetString(2), System.Globalization.CultureInfo.InvariantCulture)).Info().Code,
            (int)r.GetInt64(3)), ct);
        return [.. counts.OrderBy(c => c.Day).ThenBy(c => c.Commune, StringComparer.Ordinal).ThenBy(c => c.Group, StringComparer.Ordinal)];
    }

    public async Task<string?> SensorOfKeyAsync(string deviceKeyHash, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var ids = await ReadAsync(connection, "SELECT id FROM hue_sensors WHERE device_key_hash = $1 LIMIT 1", [deviceKeyHash], r => r.GetString(0), ct);
        return ids.Count == 0 ? null : ids[0];
    }

    public Task<IReadOnlyList<SensorRow>> SensorsAsync(SensorQuery query, CancellationToken ct)
    {
        var sql = new Filter("SELECT id, version, commune, kind, alert_level, last_seen, latitude, longitude, snapshot FROM hue_sensors WHERE true");
        sql.Add("commune = {0}", query.Commune);
        sql.Add("kind = {0}", query.Kind is { } kind ? (short)kind : null);
        sql.Add("id = ANY({0})", query.Ids?.ToArray());
        sql.AddArea(query.Area);
        sql.Add("id < {0}", query.After?.Id);
        sql.Text.Append(" ORDER BY id DESC");
        sql.Add(" LIMIT {0}", query.Limit, where: false);
        return QueryAsync(sql, r => new SensorRow(r.GetString(0), r.GetInt64(1), r.GetString(2), (SensorKind)r.GetInt16(3), r.GetInt32(4),
            Time(r, 5), Number(r, 6), Number(r, 7), JsonSerializer.Deserialize<SensorSnapshot>(r.GetString(8), SnapshotJson)!), ct);
    }

    private static async Task<ClosedTotals> TotalsAsync(NpgsqlConnection connection, string commune, DateTimeOffset now, CancellationToken ct)
    {
        var since = ClosedTotals.WindowStart(now);
        var rows = await ReadAsync(connection, """
            SELECT entity, sum(closed), sum(completed), sum(on_time), sum(rated), sum(satisfied),
                   COALESCE(sum(completed) FILTER (WHERE day >= $2), 0), COALESCE(sum(on_time) FILTER (WHERE day >= $2), 0),
                   COALESCE(sum(rated) FILTER (WHERE day >= $2), 0), COALESCE(sum(satisfied) FILTER (WHERE day >= $2), 0)
            FROM hue_closed_totals WHERE commune = $1 GROUP BY entity
            """, [commune, since], r => (Entity: r.GetString(0), Sums: Enumerable.Range(1, 9).Select(i => (int)r.GetInt64(i)).ToArray()), ct);
        var histogram = await ReadAsync(connection,
            "SELECT quarter_hour, reports FROM hue_resolve_times WHERE commune = $1 AND reports <> 0",
            [commune], r => (Bucket: r.GetInt32(0), Reports: r.GetInt32(1)), ct);

        int[] Sums(string entity) => rows.FirstOrDefault(r => r.Entity == entity).Sums ?? new int[9];
        var c = Sums("case");
        var f = Sums("feedback");
        return new ClosedTotals(
            CasesClosed: c[0], CasesCompleted: c[1], CasesOnTime: c[2], CasesCompletedRecent: c[5], CasesOnTimeRecent: c[6],
            FeedbackClosed: f[0], FeedbackRated: f[3], FeedbackSatisfied: f[4], FeedbackRatedRecent: f[7], FeedbackSatisfiedRecent: f[8],
            ResolveTimes: new ResolveTimes(histogram.ToDictionary(h => h.Bucket, h => h.Reports)));
    }

    private async Task<IReadOnlyList<T>> QueryAsync<T>(Filter filter, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await ReadAsync(connection, filter.Text.ToString(), filter.Values, read, ct);
    }

    private static async Task<IReadOnlyList<T>> ReadAsync<T>(NpgsqlConnection connection, string sql, IEnumerable<object> values,
        Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) rows.Add(read(reader));
        return rows;
    }

    private static CaseRow ReadCase(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), (CaseStatus)r.GetInt16(5),
        Time(r, 6)!.Value, Time(r, 7)!.Value, Time(r, 8), Time(r, 9), r.GetBoolean(10), Time(r, 11)!.Value);

    private static FeedbackRow ReadFeedback(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetInt64(1), Text(r, 2), (FeedbackCategory)r.GetInt16(3), Text(r, 4), (FeedbackStatus)r.GetInt16(5),
        Time(r, 6)!.Value, Time(r, 7)!.Value, Time(r, 8), r.IsDBNull(9) ? null : r.GetInt16(9), r.GetBoolean(10), Time(r, 11)!.Value,
        r.GetString(12), Text(r, 13), Number(r, 14), Number(r, 15), Text(r, 16), Text(r, 17));

    private static DateTimeOffset? Time(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : new DateTimeOffset(r.GetDateTime(i), TimeSpan.Zero);

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static double? Number(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    /// <summary>A WHERE clause grown from the filters that are set, with positional parameters.</summary>
    private sealed class Filter(string select)
    {
        public StringBuilder Text { get; } = new(select);
        public List<object> Values { get; } = [];

        /// <summary>Appends the condition when its first value is set; {0}, {1} become the next parameters.</summary>
        public void Add(string condition, object? value, object? second = null, bool where = true)
        {
            if (value is null) return;
            Values.Add(value is DateTimeOffset at ? at.ToUniversalTime() : value);
            var first = $"${Values.Count}";
            var next = "";
            if (second is not null)
            {
                Values.Add(second is DateTimeOffset at2 ? at2.ToUniversalTime() : second);
                next = $"${Values.Count}";
            }
            Text.Append(where ? " AND " : "").Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, condition, first, next));
        }

        public void Add(string condition, DateTimeOffset after, string id) => Add(condition, (object)after, id);

        /// <summary>The area's box on latitude and longitude (the position index), then the exact distance for a circle.</summary>
        public void AddArea(GeoArea? area)
        {
            if (area is null) return;
            Add("latitude BETWEEN {0} AND {1}", area.MinLatitude, area.MaxLatitude);
            Add("longitude BETWEEN {0} AND {1}", area.MinLongitude, area.MaxLongitude);
            if (area.Centre is { } c)
            {
                Values.Add(c.Latitude);
                Values.Add(c.Longitude);
                Values.Add(area.RadiusMeters!.Value);
                Text.Append(System.Globalization.CultureInfo.InvariantCulture, $" AND hue_distance_m(${Values.Count - 2}, ${Values.Count - 1}, latitude, longitude) <= ${Values.Count}");
            }
        }
    }
}
