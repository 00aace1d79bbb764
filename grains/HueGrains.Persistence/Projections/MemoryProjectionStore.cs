namespace HueGrains.Persistence;

/// <summary>
/// The embedded mode's projections and personal-data access log: they live in one grain (like Orleans' own memory
/// storage), so every silo of a local cluster sees the same. The grain storage writes a row with each state write, as
/// the trigger does in SQL.
/// </summary>
public sealed class MemoryProjectionStore(IGrainFactory grains) : IProjectionStore, IProjectionWriter, IAccessLog, IChangeFeed
{
    private IMemoryProjectionsGrain Rows => grains.GetGrain<IMemoryProjectionsGrain>(0);

    public Task WriteAsync(IProjectionRow row, CancellationToken ct) => Rows.Write(row);

    /// <summary>Every sensor, always (memory holds one machine's sensors; the answer has no <see cref="CommuneContents.SensorsCursor"/>).</summary>
    public Task<CommuneContents> LoadCommuneAsync(string commune, DateTimeOffset now, long? sensorsSince, CancellationToken ct) =>
        Rows.LoadCommune(commune, now);

    public Task<ClosedTotals> TotalsAsync(string commune, DateTimeOffset now, CancellationToken ct) => Rows.Totals(commune, now);

    public Task<IReadOnlyList<CaseRow>> CasesAsync(CaseQuery query, DateTimeOffset now, CancellationToken ct) => Rows.Cases(query, now);

    public Task<IReadOnlyList<FeedbackRow>> FeedbackAsync(FeedbackQuery query, DateTimeOffset now, CancellationToken ct) => Rows.Feedback(query, now);

    public Task<IReadOnlyList<DailyCount>> DailyCountsAsync(EntityKind kind, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        Rows.DailyCounts(kind, from, to);

    public Task<string?> SensorOfKeyAsync(string deviceKeyHash, CancellationToken ct) => Rows.SensorOfKey(deviceKeyHash);

    public Task<IReadOnlyList<SensorRow>> SensorsAsync(SensorQuery query, CancellationToken ct) => Rows.Sensors(query);

    public Task AppendAsync(string citizenId, AccessEntry entry, CancellationToken ct) => Rows.AppendAccess(citizenId, entry);

    public Task<IReadOnlyList<AccessEntry>> ReadAsync(string citizenId, PageCursor? after, int limit, CancellationToken ct) =>
        Rows.Accesses(citizenId, after, limit);

    public Task AppendAsync(string type, string entityId, string? commune, long version, string data, CancellationToken ct) =>
        Rows.AppendChange(type, entityId, commune, version, data);

    public Task<ChangePage> ReadAsync(ChangeQuery query, CancellationToken ct) => Rows.Changes(query);

    public Task<int> ForgetAsync(DateTimeOffset entitiesBefore, DateTimeOffset indicatorsBefore, CancellationToken ct) =>
        Rows.ForgetChanges(entitiesBefore, indicatorsBefore);
}

[Alias("hue.IMemoryProjectionsGrain")]
public interface IMemoryProjectionsGrain : IGrainWithIntegerKey
{
    [Alias("Write")] Task Write(IProjectionRow row);
    [Alias("LoadCommune")] Task<CommuneContents> LoadCommune(string commune, DateTimeOffset now);
    [Alias("Totals")] Task<ClosedTotals> Totals(string commune, DateTimeOffset now);
    [Alias("Cases")] Task<IReadOnlyList<CaseRow>> Cases(CaseQuery query, DateTimeOffset now);
    [Alias("Feedback")] Task<IReadOnlyList<FeedbackRow>> Feedback(FeedbackQuery query, DateTimeOffset now);
    [Alias("DailyCounts")] Task<IReadOnlyList<DailyCount>> DailyCounts(EntityKind kind, DateTimeOffset from, DateTimeOffset to);
    [Alias("SensorOfKey")] Task<string?> SensorOfKey(string deviceKeyHash);
    [Alias("Sensors")] Task<IReadOnlyList<SensorRow>> Sensors(SensorQuery query);
    [Alias("AppendAccess")] Task AppendAccess(string citizenId, AccessEntry entry);
    [Alias("Accesses")] Task<IReadOnlyList<AccessEntry>> Accesses(string citizenId, PageCursor? after, int limit);
    [Alias("AppendChange")] Task AppendChange(string type, string entityId, string? commune, long version, string data);
    [Alias("Changes")] Task<ChangePage> Changes(ChangeQuery query);
    [Alias("ForgetChanges")] Task<int> ForgetChanges(DateTimeOffset entitiesBefore, DateTimeOffset indicatorsBefore);
}

/// <summary>
/// The rows, and the same answers PostgreSQL gives (deploy/sql/007 and <see cref="PostgresProjectionStore"/>): totals
/// per local day of closing, newest-first keyset pages with ordinal id ties. Memory only, for one machine's data.
/// </summary>
[GrainType("memory-projections"), KeepAlive] // the only copy of the rows in memory mode: never collected
public sealed class MemoryProjectionsGrain : Grain, IMemoryProjectionsGrain
{
    private readonly Dictionary<string, CaseRow> _cases = [];
    private readonly Dictionary<string, FeedbackRow> _feedback = [];
    private readonly Dictionary<string, SensorRow> _sensors = [];
    private readonly Dictionary<string, string> _sensorByKey = []; // device key hash -> sensor id, as the SQL index
    private readonly Dictionary<string, List<AccessEntry>> _accesses = [];
    private readonly List<ChangeRecord> _changes = [];
    private long _lastEntry;
    private long _position;
    private long _forgottenThrough;

    public Task Write(IProjectionRow row)
    {
        IProjectionRow? before = row switch
        {
            CaseRow c => _cases.GetValueOrDefault(c.Id),
            FeedbackRow f => _feedback.GetValueOrDefault(f.Id),
            SensorRow s => _sensors.GetValueOrDefault(s.Id),
            _ => null,
        };
        foreach (var (type, data) in RowChanges.Between(before, row))
            Append(type, row.Id, row switch { CaseRow c => c.Commune, FeedbackRow f => f.Commune, SensorRow s => s.Commune, _ => null }, row.Version, data);
        switch (row)
        {
            case CaseRow c: _cases[c.Id] = c; break;
            case FeedbackRow f: _feedback[f.Id] = f; break;
            case SensorRow s:
                if (_sensors.TryGetValue(s.Id, out var old) && old.DeviceKeyHash is { } oldKey) _sensorByKey.Remove(oldKey);
                if (s.DeviceKeyHash is { } key) _sensorByKey[key] = s.Id;
                _sensors[s.Id] = s;
                break;
        }
        return Task.CompletedTask;
    }

    public Task<CommuneContents> LoadCommune(string commune, DateTimeOffset now) => Task.FromResult(new CommuneContents(
        [.. _cases.Values.Where(c => c.Commune == commune && c.Open).Select(c => c.ToSnapshot())],
        [.. _feedback.Values.Where(f => f.Commune == commune && f.Open).Select(f => f.ToSnapshot())],
        [.. _sensors.Values.Where(s => s.Commune == commune).Select(s => s.Snapshot)],
        TotalsOf(commune, now)));

    public Task<ClosedTotals> Totals(string commune, DateTimeOffset now) => Task.FromResult(TotalsOf(commune, now));

    public Task<IReadOnlyList<CaseRow>> Cases(CaseQuery q, DateTimeOffset now) => Task.FromResult<IReadOnlyList<CaseRow>>([.. _cases.Values
        .Where(c => (q.Commune is null || c.Commune == q.Commune) && (q.CitizenId is null || c.CitizenId == q.CitizenId)
            && (q.Status is null || c.Status == q.Status) && (q.Overdue is null || c.ToSnapshot().IsOverdue(now) == q.Overdue)
            && (q.From is null || c.FiledAt >= q.From) && (q.To is null || c.FiledAt < q.To)
            && (q.After is null || q.After.Precedes(c.FiledAt, c.Id)))
        .OrderByDescending(c => c.FiledAt).ThenByDescending(c => c.Id, StringComparer.Ordinal)
        .Take(q.Limit)]);

    public Task<IReadOnlyList<FeedbackRow>> Feedback(FeedbackQuery q, DateTimeOffset now) => Task.FromResult<IReadOnlyList<FeedbackRow>>([.. _feedback.Values
        .Where(f => (!q.Unrouted || f.Commune is null) && (q.Commune is null || f.Commune == q.Commune)
            && (q.ReporterId is null || f.ReporterId == q.ReporterId) && (q.Ids is null || q.Ids.Contains(f.Id))
            && (q.Category is null || f.Category == q.Category) && (q.Categories is not { Count: > 0 } || q.Categories.Contains(f.Category))
            && (q.Open is null || f.Open == q.Open)
            && (q.From is null || f.SubmittedAt >= q.From) && (q.To is null || f.SubmittedAt < q.To)
            && (q.Area is null || q.Area.Contains(f.Latitude, f.Longitude))
            && (q.After is null || q.After.Precedes(f.SubmittedAt, f.Id)))
        .OrderByDescending(f => f.SubmittedAt).ThenByDescending(f => f.Id, StringComparer.Ordinal)
        .Take(q.Limit)]);

    public Task<IReadOnlyList<DailyCount>> DailyCounts(EntityKind kind, DateTimeOffset from, DateTimeOffset to)
    {
        var filed = kind == EntityKind.Case
            ? _cases.Values.Where(c => c.FiledAt >= from && c.FiledAt < to).Select(c => (At: c.FiledAt, c.Commune, Group: c.Procedure))
            : _feedback.Values.Where(f => f.Commune is not null && f.SubmittedAt >= from && f.SubmittedAt < to)
                .Select(f => (At: f.SubmittedAt, Commune: f.Commune!, Group: f.Category.Info().Code));
        return Task.FromResult<IReadOnlyList<DailyCount>>([.. filed
            .GroupBy(x => (Day: HueLocalTime.Date(x.At), x.Commune, x.Group))
            .Select(g => new DailyCount(g.Key.Day, g.Key.Commune, g.Key.Group, g.Count()))
            .OrderBy(c => c.Day).ThenBy(c => c.Commune, StringComparer.Ordinal).ThenBy(c => c.Group, StringComparer.Ordinal)]);
    }

    public Task<string?> SensorOfKey(string deviceKeyHash) => Task.FromResult(_sensorByKey.GetValueOrDefault(deviceKeyHash));

    public Task<IReadOnlyList<SensorRow>> Sensors(SensorQuery q) => Task.FromResult<IReadOnlyList<SensorRow>>([.. _sensors.Values
        .Where(s => (q.Commune is null || s.Commune == q.Commune) && (q.Kind is null || s.Kind == q.Kind)
            && (q.Ids is null || q.Ids.Contains(s.Id)) && (q.Area is null || q.Area.Contains(s.Latitude, s.Longitude))
            && (q.After is null || string.CompareOrdinal(s.Id, q.After.Id) < 0))
        .OrderByDescending(s => s.Id, StringComparer.Ordinal)
        .Take(q.Limit)]);

    public Task AppendAccess(string citizenId, AccessEntry entry)
    {
        if (!_accesses.TryGetValue(citizenId, out var log)) _accesses[citizenId] = log = [];
        log.Add(entry with { EntryId = EntryIds.Of(++_lastEntry) });
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AccessEntry>> Accesses(string citizenId, PageCursor? after, int limit) =>
        Task.FromResult<IReadOnlyList<AccessEntry>>([.. (_accesses.GetValueOrDefault(citizenId) ?? [])
            .Where(e => after is null || after.Precedes(e.At, e.EntryId))
            .OrderByDescending(e => e.At).ThenByDescending(e => e.EntryId, StringComparer.Ordinal)
            .Take(limit)]);

    public Task AppendChange(string type, string entityId, string? commune, long version, string data)
    {
        Append(type, entityId, commune, version, data);
        return Task.CompletedTask;
    }

    private void Append(string type, string entityId, string? commune, long version, string data) =>
        _changes.Add(new ChangeRecord(++_position, type, entityId, commune, version, DateTimeOffset.UtcNow, data));

    public Task<ChangePage> Changes(ChangeQuery query)
    {
        var start = _changes.BinarySearch(new ChangeRecord(query.After + 1, "", "", null, 0, default, ""), PositionOrder.Instance);
        var items = _changes.Skip(start < 0 ? ~start : start).Where(query.Admits).Take(query.Limit).ToList();
        return Task.FromResult(new ChangePage(items, _forgottenThrough, _position));
    }

    public Task<int> ForgetChanges(DateTimeOffset entitiesBefore, DateTimeOffset indicatorsBefore)
    {
        static bool Indicators(ChangeRecord c) => c.Type is ChangeTypes.Commune or ChangeTypes.City;
        var gone = _changes.Where(c => c.At < entitiesBefore || Indicators(c) && c.At < indicatorsBefore).ToList();
        _forgottenThrough = Math.Max(_forgottenThrough, gone.Where(c => !Indicators(c)).Select(c => c.Position).DefaultIfEmpty(0).Max());
        var removed = _changes.RemoveAll(c => c.At < entitiesBefore || Indicators(c) && c.At < indicatorsBefore);
        return Task.FromResult(removed);
    }

    private sealed class PositionOrder : IComparer<ChangeRecord>
    {
        public static readonly PositionOrder Instance = new();
        public int Compare(ChangeRecord? x, ChangeRecord? y) => x!.Position.CompareTo(y!.Position);
    }

    private ClosedTotals TotalsOf(string commune, DateTimeOffset now)
    {
        var since = ClosedTotals.WindowStart(now);
        var cases = _cases.Values.Where(c => c.Commune == commune && !c.Open).ToList();
        var recentCases = cases.Where(c => HueLocalTime.Date(c.ClosedAt!.Value) >= since).ToList();
        var feedback = _feedback.Values.Where(f => f.Commune == commune && !f.Open).ToList();
        var recentFeedback = feedback.Where(f => HueLocalTime.Date(f.ResolvedAt ?? f.UpdatedAt) >= since).ToList();
        return new ClosedTotals(
            CasesClosed: cases.Count,
            CasesCompleted: cases.Count(c => c.Completed),
            CasesOnTime: cases.Count(c => c.OnTime),
            CasesCompletedRecent: recentCases.Count(c => c.Completed),
            CasesOnTimeRecent: recentCases.Count(c => c.OnTime),
            FeedbackClosed: feedback.Count,
            FeedbackRated: feedback.Count(f => f.Rating is not null),
            FeedbackSatisfied: feedback.Count(f => f.Rating >= 4),
            FeedbackRatedRecent: recentFeedback.Count(f => f.Rating is not null),
            FeedbackSatisfiedRecent: recentFeedback.Count(f => f.Rating >= 4),
            ResolveTimes: ResolveTimes.Of(feedback.Where(f => f.ResolvedAt is not null).Select(f => f.ResolvedAt!.Value - f.SubmittedAt)));
    }
}
