using HueGrains.Grains.Domain;
using HueGrains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace HueGrains.Grains;

/// <summary>
/// The city of Huế: the newest indicators of each of its communes, about 40 small messages per flush. Every minute it
/// snapshots the city's and each commune's indicators into the indicator history (charts, open data).
/// </summary>
[GrainType("city")]
[ImplicitStreamSubscription(HueStreams.CommuneIndicators)]
public sealed partial class CityGrain(
    [PersistentState("city", "hue")] IPersistentState<CityLedger> state,
    [FromKeyedServices(HueTime.Key)] TimeProvider clock,
    IIndicatorStore history,
    IChangeFeed changes,
    IOptions<HistoryOptions> options,
    IOptions<ChangeOptions> changeOptions,
    HueMetrics metrics,
    ILogger<CityGrain> log) : Grain, ICityGrain, IStreamSubscriptionObserver
{
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AnnounceInterval = TimeSpan.FromSeconds(1);
    private bool _unsaved;
    private CityView? _view;
    private IndicatorChanges _changes = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Ask every commune once: this also activates them, and each reconciles from its entities.
        var snapshots = await Task.WhenAll(CityMap.Communes.Select(c => GrainFactory.GetGrain<ICommuneGrain>(c.Code).GetSnapshot(cancellationToken)));
        foreach (var snapshot in snapshots) Apply(snapshot);
        this.RegisterGrainTimer(SaveAsync, new GrainTimerCreationOptions(SaveInterval, SaveInterval));
        _changes = new IndicatorChanges(changes, ChangeTypes.City, Keys.City, null, TimeSpan.FromSeconds(changeOptions.Value.IndicatorSeconds), clock, log);
        this.RegisterGrainTimer(AnnounceAsync, new GrainTimerCreationOptions(TimeSpan.Zero, AnnounceInterval) { Interleave = true }); // reads the cached view only
        var every = TimeSpan.FromSeconds(options.Value.IndicatorSampleSeconds);
        this.RegisterGrainTimer(SampleAsync, new GrainTimerCreationOptions(every, every));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await SaveAsync(cancellationToken);

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.Create<CommuneSnapshot>().ResumeAsync((snapshot, _) =>
        {
            metrics.StreamFlushLag.Record(Math.Max(0, (clock.GetUtcNow() - snapshot.ComputedAt).TotalSeconds));
            Apply(snapshot);
            return Task.CompletedTask;
        });

    /// <summary>The view computed at the last change; a GET never recomputes.</summary>
    public Task<CityView> Get(CancellationToken ct) => Task.FromResult(_view ??= state.State.View());

    private void Apply(CommuneSnapshot snapshot)
    {
        if (!state.State.Apply(snapshot)) return;
        _unsaved = true;
        _view = null;
    }

    public async Task<IndicatorHistory> History(string scope, string indicator, DateTimeOffset from, DateTimeOffset to, TimeBucket bucket, bool disclosed,
        CancellationToken ct)
    {
        if (disclosed && scope == Keys.City && Disclosure.IsAboutPeople(indicator))
        {
            // Each city sample beside the communes' samples of the same instant (Disclosure.CityValue).
            var all = await history.ReadAsync(null, from, to, ct);
            var communesAt = all.Where(s => s.Scope != Keys.City).GroupBy(s => s.At).ToDictionary(g => g.Key, g => g.Select(s => s.Indicators).ToList());
            return new IndicatorHistory(scope, indicator, bucket, from, to, IndicatorAggregation.Points(all.Where(s => s.Scope == Keys.City), bucket,
                s => Disclosure.CityValue(s.Indicators, communesAt.GetValueOrDefault(s.At) ?? [], indicator)));
        }
        var samples = await history.ReadAsync(scope, from, to, ct);
        return new IndicatorHistory(scope, indicator, bucket, from, to, IndicatorAggregation.Points(samples, bucket,
            s => disclosed ? Disclosure.Value(s.Indicators, indicator) : IndicatorNames.Value(s.Indicators, indicator)));
    }

    public Task<IReadOnlyList<IndicatorSample>> Daily(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) => history.DailyAsync(from, to, ct);

    public Task<IReadOnlyList<KindHour>> Hourly(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) => history.HourlyAsync(from, to, ct);

    /// <summary>The city and every commune as they stand, stamped with the sampling instant (domain clock).</summary>
    private async Task SampleAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var at = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.FromSeconds(options.Value.IndicatorSampleSeconds).Ticks, TimeSpan.Zero);
        var city = await Get(ct);
        var samples = state.State.Communes.Values
            .Select(c => new IndicatorSample(c.Code, at, c.Indicators, c.Sensors))
            .Append(new IndicatorSample(Keys.City, at, city.Indicators, city.Sensors))
            .ToList();
        try
        {
            await history.AppendAsync(samples, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSampleFailed(log, ex); // a missed minute in the charts; the next sample follows
        }
    }

    /// <summary>The city's indicators into the change feed, when they changed (API clients and the live feed read them there).</summary>
    private async Task AnnounceAsync(CancellationToken ct)
    {
        var view = await Get(ct);
        await _changes.OfferAsync(view.Indicators, view.UpdatedAt?.UtcTicks ?? 0, () => new { view.Indicators, view.UpdatedAt }, ct);
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        if (!_unsaved) return;
        _unsaved = false;
        await state.WriteStateAsync(ct);
    }

    [LoggerMessage(LogLevel.Warning, "The city could not record its indicator snapshot")]
    private static partial void LogSampleFailed(ILogger log, Exception ex);
}
