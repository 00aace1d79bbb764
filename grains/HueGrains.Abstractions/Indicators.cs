namespace HueGrains;

/// <summary>
/// The live indicators of a commune or of the whole city. Rates are shares in [0, 1], null when there is nothing to
/// rate yet; the counts behind them are kept so that the city can weigh communes correctly.
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.Indicators")]
public sealed record Indicators(
    [property: Id(0)] int FloodAlertLevel,
    [property: Id(1)] AqiBand? AqiBand,
    [property: Id(2)] int SensorsReporting,
    [property: Id(3)] int Sensors,
    [property: Id(4)] int OpenFeedback,
    [property: Id(5)] int OverdueFeedback,
    [property: Id(6)] int ResolvedFeedback,
    [property: Id(7)] int RatedFeedback,
    [property: Id(8)] int SatisfiedFeedback,
    [property: Id(9)] double? SatisfactionRate,
    [property: Id(10)] int OpenCases,
    [property: Id(11)] int OverdueCases,
    [property: Id(12)] int ResolvedCases,
    [property: Id(13)] int CompletedOnTime,
    [property: Id(14)] double? OnTimeRate,
    [property: Id(15)] int ActiveAlerts,
    [property: Id(16)] int SensorsOnline,
    [property: Id(17)] int SensorsOffline,
    [property: Id(18)] int CasesReceived = 0,
    [property: Id(19)] int CasesProcessing = 0,
    [property: Id(20)] double? MedianHoursToResolve = null,
    // The same rates over the last 90 local days (ClosedTotals.RollingDays), with the counts behind them.
    [property: Id(21)] int ResolvedCases90d = 0,
    [property: Id(22)] int CompletedOnTime90d = 0,
    [property: Id(23)] double? OnTimeRate90d = null,
    [property: Id(24)] int RatedFeedback90d = 0,
    [property: Id(25)] int SatisfiedFeedback90d = 0,
    [property: Id(26)] double? SatisfactionRate90d = null)
{
    public static readonly Indicators Empty = new(0, null, 0, 0, 0, 0, 0, 0, 0, null, 0, 0, 0, 0, null, 0, 0, 0);
}

/// <summary>Per kind of sensor: how many report, the mean and maximum of their latest values, the highest alert.</summary>
[GenerateSerializer, Immutable, Alias("hue.KindIndicators")]
public sealed record KindIndicators(
    [property: Id(0)] SensorKind Kind,
    [property: Id(1)] string Unit,
    [property: Id(2)] int Sensors,
    [property: Id(3)] int SensorsReporting,
    [property: Id(4)] double? Mean,
    [property: Id(5)] double? Max,
    [property: Id(6)] int AlertLevel);

[GenerateSerializer, Immutable, Alias("hue.ActiveAlert")]
public sealed record ActiveAlert(
    [property: Id(0)] string SensorId,
    [property: Id(1)] string Commune,
    [property: Id(2)] SensorKind Kind,
    [property: Id(3)] int Level,
    [property: Id(4)] double Value,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] string Rule,
    [property: Id(7)] AlertStatus Status,
    [property: Id(8)] DateTimeOffset RaisedAt);

[GenerateSerializer, Immutable, Alias("hue.CommuneView")]
public sealed record CommuneView(
    [property: Id(0)] string Code,
    [property: Id(1)] string Name,
    [property: Id(2)] CommuneType Type,
    [property: Id(3)] string FullNameVi,
    [property: Id(4)] Indicators Indicators,
    [property: Id(5)] IReadOnlyList<KindIndicators> Sensors,
    [property: Id(6)] IReadOnlyList<ActiveAlert> ActiveAlerts,
    [property: Id(7)] DateTimeOffset? UpdatedAt);

[GenerateSerializer, Immutable, Alias("hue.CommuneSummary")]
public sealed record CommuneSummary(
    [property: Id(0)] string Code,
    [property: Id(1)] string Name,
    [property: Id(2)] CommuneType Type,
    [property: Id(3)] Indicators Indicators,
    [property: Id(4)] DateTimeOffset? UpdatedAt);

[GenerateSerializer, Immutable, Alias("hue.CityView")]
public sealed record CityView(
    [property: Id(0)] string Key,
    [property: Id(1)] string Name,
    [property: Id(2)] Indicators Indicators,
    [property: Id(3)] IReadOnlyList<KindIndicators> Sensors,
    [property: Id(4)] IReadOnlyList<CommuneSummary> Communes,
    [property: Id(5)] IReadOnlyList<ActiveAlert> ActiveAlerts,
    [property: Id(6)] DateTimeOffset? UpdatedAt);

[Alias("hue.ICommuneGrain")]
public interface ICommuneGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<CommuneView> Get(CancellationToken ct = default);

    [Alias("GetSnapshot")]
    Task<CommuneSnapshot> GetSnapshot(CancellationToken ct = default);

    /// <summary>Rebuilds the live state from the projections (open items, sensors, closed totals) now, instead of at the next periodic reconcile.</summary>
    [Alias("Reconcile")]
    Task<CommuneView> Reconcile(CancellationToken ct = default);
}

public enum EntityKind { Sensor, Feedback, Case }

[Alias("hue.ICityGrain")]
public interface ICityGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<CityView> Get(CancellationToken ct = default);

    /// <summary>
    /// One indicator of the city or a commune over time, from the snapshot taken every minute. Counts about people follow
    /// <see cref="Disclosure"/> when <paramref name="disclosed"/> (a public caller), sample by sample.
    /// </summary>
    [Alias("History"), Orleans.Concurrency.AlwaysInterleave]
    Task<IndicatorHistory> History(string scope, string indicator, DateTimeOffset from, DateTimeOffset to, TimeBucket bucket, bool disclosed = false,
        CancellationToken ct = default);

    /// <summary>The last snapshot of each day per scope (open data).</summary>
    [Alias("Daily"), Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<IndicatorSample>> Daily(DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default);

    /// <summary>Hourly sensor aggregates per commune and kind (open data).</summary>
    [Alias("Hourly"), Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<KindHour>> Hourly(DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default);
}
