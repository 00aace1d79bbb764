namespace HueGrains;

/// <summary>
/// An entity's row in a projection table: what SQL filters, pages and counts. The entity's state computes it (property
/// <c>Row</c>), so it is written with the state itself: by a trigger in PostgreSQL, by the storage in memory.
/// </summary>
public interface IProjectionRow
{
    string Id { get; }
    long Version { get; }
}

/// <summary>State classes that carry their projection row (null until the entity exists).</summary>
public interface IProjectedState
{
    IProjectionRow? Row { get; }
}

/// <summary>A dossier as the work lists, open data, reconcile and the totals see it (no form, no personal data).</summary>
[GenerateSerializer, Immutable, Alias("hue.CaseRow")]
public sealed record CaseRow(
    [property: Id(0)] string Id,
    [property: Id(1)] long Version,
    [property: Id(2)] string Commune,
    [property: Id(3)] string Procedure,
    [property: Id(4)] string CitizenId,
    [property: Id(5)] CaseStatus Status,
    [property: Id(6)] DateTimeOffset FiledAt,
    [property: Id(7)] DateTimeOffset DueAt,
    [property: Id(8)] DateTimeOffset? CompletedAt,
    [property: Id(9)] DateTimeOffset? ClosedAt,
    [property: Id(10)] bool Overdue,
    [property: Id(11)] DateTimeOffset UpdatedAt) : IProjectionRow
{
    public bool Open => Status.IsOpen();

    /// <summary>Awaiting a supplement: the statutory clock stands still.</summary>
    public bool Paused => Status == CaseStatus.SupplementRequested;

    /// <summary>Returned or refused: counted in the on-time rate (a cancelled dossier is closed but not completed).</summary>
    public bool Completed => Status is CaseStatus.Returned or CaseStatus.Refused;

    public bool OnTime => Completed && CompletedAt <= DueAt;

    public CaseSnapshot ToSnapshot() => new(Id, Version, Status, DueAt, CompletedAt, Procedure, FiledAt, Overdue);

    public CaseSummary ToSummary(DateTimeOffset now) => new(Id, Procedure, Status, FiledAt, DueAt, ToSnapshot().IsOverdue(now));
}

/// <summary>A report as lists, Open311, open data, reconcile and the totals see it. The reporter id is only for their own list.</summary>
[GenerateSerializer, Immutable, Alias("hue.FeedbackRow")]
public sealed record FeedbackRow(
    [property: Id(0)] string Id,
    [property: Id(1)] long Version,
    [property: Id(2)] string? Commune,
    [property: Id(3)] FeedbackCategory Category,
    [property: Id(4)] string? ReporterId,
    [property: Id(5)] FeedbackStatus Status,
    [property: Id(6)] DateTimeOffset SubmittedAt,
    [property: Id(7)] DateTimeOffset DueAt,
    [property: Id(8)] DateTimeOffset? ResolvedAt,
    [property: Id(9)] int? Rating,
    [property: Id(10)] bool Overdue,
    [property: Id(11)] DateTimeOffset UpdatedAt,
    [property: Id(12)] string Description,
    [property: Id(13)] string? Address,
    [property: Id(14)] double? Latitude,
    [property: Id(15)] double? Longitude,
    [property: Id(16)] string? Answer,
    [property: Id(17)] string? PhotoUrl) : IProjectionRow
{
    public bool Open => Status.IsOpen();

    public FeedbackSnapshot ToSnapshot() => new(Id, Version, Status, DueAt, ResolvedAt, Rating, Category, SubmittedAt, Overdue);

    public FeedbackSummary ToSummary(DateTimeOffset now) =>
        new(Id, Category, Status, SubmittedAt, DueAt, ToSnapshot().IsOverdue(now), Commune, Latitude, Longitude);
}

/// <summary>
/// A sensor as its commune counts it, with the columns geo and fleet queries filter on, and its device key's SHA-256
/// (null when revoked): the edges find a key's sensor here without waking any sensor grain.
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.SensorRow")]
public sealed record SensorRow(
    [property: Id(0)] string Id,
    [property: Id(1)] long Version,
    [property: Id(2)] string Commune,
    [property: Id(3)] SensorKind Kind,
    [property: Id(4)] int AlertLevel,
    [property: Id(5)] DateTimeOffset? LastSeen,
    [property: Id(6)] double? Latitude,
    [property: Id(7)] double? Longitude,
    [property: Id(8)] SensorSnapshot Snapshot,
    [property: Id(9)] string? DeviceKeyHash = null) : IProjectionRow
{
    public SensorPlace ToPlace() => new(Id, Commune, Kind, AlertLevel, LastSeen, Latitude, Longitude);
}

/// <summary>A sensor in a public list or on the map: where it is and its alert level (never its key).</summary>
[GenerateSerializer, Immutable, Alias("hue.SensorPlace")]
public sealed record SensorPlace(
    [property: Id(0)] string Id,
    [property: Id(1)] string Commune,
    [property: Id(2)] SensorKind Kind,
    [property: Id(3)] int AlertLevel,
    [property: Id(4)] DateTimeOffset? LastSeen,
    [property: Id(5)] double? Latitude,
    [property: Id(6)] double? Longitude);

/// <summary>
/// What a commune's closed dossiers and reports add up to: exact counts kept by the projection store as items close
/// (and reopen), all-time and over the last <see cref="RollingDays"/> local days.
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.ClosedTotals")]
public sealed record ClosedTotals(
    [property: Id(0)] int CasesClosed,
    [property: Id(1)] int CasesCompleted,
    [property: Id(2)] int CasesOnTime,
    [property: Id(3)] int CasesCompletedRecent,
    [property: Id(4)] int CasesOnTimeRecent,
    [property: Id(5)] int FeedbackClosed,
    [property: Id(6)] int FeedbackRated,
    [property: Id(7)] int FeedbackSatisfied,
    [property: Id(8)] int FeedbackRatedRecent,
    [property: Id(9)] int FeedbackSatisfiedRecent,
    [property: Id(10)] ResolveTimes ResolveTimes)
{
    /// <summary>The rolling window of the recent rates, in local days including today (a quarter, as Vietnam's service index reports).</summary>
    public const int RollingDays = 90;

    public static readonly ClosedTotals Empty = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, new ResolveTimes(new Dictionary<int, int>()));

    /// <summary>The first local day inside the rolling window that ends today.</summary>
    public static DateOnly WindowStart(DateTimeOffset now) => HueLocalTime.Date(now).AddDays(1 - RollingDays);
}

/// <summary>
/// Everything a commune counts live: its open items, its sensors (all, or those saved since an earlier read) and the
/// totals of what closed. <see cref="SensorsCursor"/> is where the next read of the sensors saved since this one starts;
/// null when the store always answers with every sensor.
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.CommuneContents")]
public sealed record CommuneContents(
    [property: Id(0)] IReadOnlyList<CaseSnapshot> OpenCases,
    [property: Id(1)] IReadOnlyList<FeedbackSnapshot> OpenFeedback,
    [property: Id(2)] IReadOnlyList<SensorSnapshot> Sensors,
    [property: Id(3)] ClosedTotals Totals,
    [property: Id(4)] long? SensorsCursor = null);

/// <summary>How many dossiers or reports were filed on one local day in one commune, by procedure or category (open data).</summary>
[GenerateSerializer, Immutable, Alias("hue.DailyCount")]
public sealed record DailyCount(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] string Commune,
    [property: Id(2)] string Group,
    [property: Id(3)] int Count);

/// <summary>
/// Queries over the projections for front ends (work lists, Open311, open data, a citizen's own lists): paged by keyset
/// in the store, never a scan of grain memory. Stateless: any silo answers.
/// </summary>
[Alias("hue.IProjectionsGrain")]
public interface IProjectionsGrain : IGrainWithIntegerKey
{
    [Alias("Cases")]
    Task<IReadOnlyList<CaseSummary>> Cases(CaseQuery query, CancellationToken ct = default);

    /// <summary>Reports as published (Open311): without their reporter.</summary>
    [Alias("Feedback")]
    Task<IReadOnlyList<FeedbackRow>> Feedback(FeedbackQuery query, CancellationToken ct = default);

    /// <summary>Reports as work lists show them: no reporter, no description.</summary>
    [Alias("FeedbackSummaries")]
    Task<IReadOnlyList<FeedbackSummary>> FeedbackSummaries(FeedbackQuery query, CancellationToken ct = default);

    /// <summary>Dossiers (by procedure) or reports (by category code) filed per local day and commune in [from, to).</summary>
    [Alias("DailyCounts")]
    Task<IReadOnlyList<DailyCount>> DailyCounts(EntityKind kind, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default);

    /// <summary>The change feed after a position, oldest first (see <see cref="ChangeQuery"/>).</summary>
    [Alias("Changes")]
    Task<ChangePage> Changes(ChangeQuery query, CancellationToken ct = default);

    /// <summary>The sensor whose device key has this SHA-256, or null: a key check that activates no sensor grain.</summary>
    [Alias("SensorOfKey")]
    Task<string?> SensorOfKey(string deviceKeyHash, CancellationToken ct = default);

    /// <summary>Sensors with their places, by id descending (see <see cref="SensorQuery"/>).</summary>
    [Alias("Sensors")]
    Task<IReadOnlyList<SensorPlace>> Sensors(SensorQuery query, CancellationToken ct = default);
}
