namespace HueGrains.Persistence;

/// <summary>
/// The projections: one row per dossier, report and sensor, written with the entity's state, and the totals of what
/// closed per commune. PostgreSQL in durable mode (rows derived by triggers from the grain-state row), memory otherwise.
/// </summary>
public interface IProjectionStore
{
    /// <summary>
    /// A commune's open dossiers and reports, its sensors and its closed totals, as of one instant. With
    /// <paramref name="sensorsSince"/> (an earlier answer's <see cref="CommuneContents.SensorsCursor"/>), only the
    /// sensors saved since that read (a store may answer with more); the open items and totals are always whole.
    /// </summary>
    Task<CommuneContents> LoadCommuneAsync(string commune, DateTimeOffset now, long? sensorsSince, CancellationToken ct);

    Task<ClosedTotals> TotalsAsync(string commune, DateTimeOffset now, CancellationToken ct);

    /// <summary>Newest first, at most <see cref="CaseQuery.Limit"/>, after the query's cursor.</summary>
    Task<IReadOnlyList<CaseRow>> CasesAsync(CaseQuery query, DateTimeOffset now, CancellationToken ct);

    /// <summary>Newest first, at most <see cref="FeedbackQuery.Limit"/>, after the query's cursor.</summary>
    Task<IReadOnlyList<FeedbackRow>> FeedbackAsync(FeedbackQuery query, DateTimeOffset now, CancellationToken ct);

    /// <summary>Items filed per local day, commune and procedure (dossiers) or category code (reports) in [from, to).</summary>
    Task<IReadOnlyList<DailyCount>> DailyCountsAsync(EntityKind kind, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    /// <summary>The provisioned sensor whose device key has this SHA-256 (hex), or null.</summary>
    Task<string?> SensorOfKeyAsync(string deviceKeyHash, CancellationToken ct);

    /// <summary>By id descending, at most <see cref="SensorQuery.Limit"/>, after the query's cursor.</summary>
    Task<IReadOnlyList<SensorRow>> SensorsAsync(SensorQuery query, CancellationToken ct);
}

/// <summary>Writes a row where no trigger derives it (the memory store); called by the grain storage with the state write.</summary>
public interface IProjectionWriter
{
    Task WriteAsync(IProjectionRow row, CancellationToken ct);
}
