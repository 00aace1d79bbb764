using Microsoft.Extensions.DependencyInjection;
using HueGrains.Grains.Domain;
using HueGrains.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace HueGrains.Grains;

/// <summary>
/// A ward or commune: applies the snapshots its sensors, reports and dossiers publish, and sends its indicators to the
/// City on a short timer (staged aggregation). It holds only what is live (sensors, open items, closed totals); it
/// loads them from the projections on activation and reconciles with them every few seconds.
/// </summary>
[GrainType("commune")]
[ImplicitStreamSubscription(HueStreams.SensorEvents)]
[ImplicitStreamSubscription(HueStreams.FeedbackEvents)]
[ImplicitStreamSubscription(HueStreams.CaseEvents)]
public sealed partial class CommuneGrain(
    [PersistentState("commune", "hue")] IPersistentState<CommuneState> state,
    [FromKeyedServices(HueTime.Key)] TimeProvider clock,
    IProjectionStore projections,
    IChangeFeed changes,
    IOptions<CommuneOptions> options,
    IOptions<ChangeOptions> changeOptions,
    ILogger<CommuneGrain> log) : Grain, ICommuneGrain, IStreamSubscriptionObserver
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);
    // Time alone turns dossiers and reports overdue and sensors offline: recomputed every second, so leaders see it within 2 s.
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly CommuneLedger _ledger = new();
    private CommuneInfo _info = null!;
    private IAsyncStream<CommuneSnapshot> _toCity = null!;
    private IAsyncStream<AlertNotice[]> _alerts = null!;
    private IReadOnlyList<ActiveAlert> _announced = [];
    private CommuneSnapshot? _published;
    private CommuneView? _view;
    private bool _changed;
    private long _savedVersion;
    private IndicatorChanges _changes = null!;
    private long? _sensorsCursor;
    private DateTimeOffset _fullLoadAt;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var code = this.GetPrimaryKeyString();
        _info = CityMap.Find(code) ?? throw new HueNotFoundException($"Unknown commune code '{code}'.");
        _toCity = this.GetStreamProvider(HueStreams.Provider)
            .GetStream<CommuneSnapshot>(StreamId.Create(HueStreams.CommuneIndicators, Keys.City));
        _alerts = this.GetStreamProvider(HueStreams.AlertsProvider).GetStream<AlertNotice[]>(StreamId.Create(HueStreams.Alerts, code));
        _savedVersion = state.State.Version;
        _changes = new IndicatorChanges(changes, ChangeTypes.Commune, code, code, TimeSpan.FromSeconds(changeOptions.Value.IndicatorSeconds), clock, log);

        // One read of everything live; later reconciles read what changed since, so an event lost with a silo is repaired in seconds.
        await LoadAsync(full: true, cancellationToken);
        var reconcile = TimeSpan.FromSeconds(options.Value.ReconcileSeconds);
        this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(FlushInterval, FlushInterval));
        this.RegisterGrainTimer(RefreshAsync, new GrainTimerCreationOptions(RefreshInterval, RefreshInterval));
        this.RegisterGrainTimer(AnnounceAsync, new GrainTimerCreationOptions(RefreshInterval, RefreshInterval) { Interleave = true });
        this.RegisterGrainTimer(ct => ReconcileAsync(full: clock.GetUtcNow() - _fullLoadAt >= TimeSpan.FromMinutes(options.Value.FullReconcileMinutes), ct),
            new GrainTimerCreationOptions(reconcile, reconcile));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await SaveVersionAsync(cancellationToken);

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.StreamId.GetNamespace() switch
    {
        HueStreams.SensorEvents => handleFactory.Create<SensorEventBatch>().ResumeAsync((batch, _) => ApplyAll(batch.Sensors)),
        HueStreams.FeedbackEvents => handleFactory.Create<FeedbackSnapshot>().ResumeAsync((f, _) => ApplyAll([f])),
        HueStreams.CaseEvents => handleFactory.Create<CaseSnapshot>().ResumeAsync((c, _) => ApplyAll([c])),
        _ => Task.CompletedTask,
    };

    /// <summary>The view computed when the indicators last changed; a GET never recomputes.</summary>
    public Task<CommuneView> Get(CancellationToken ct) => Task.FromResult(_view ??= ViewOf(_published ?? NextSnapshot()));

    public Task<CommuneSnapshot> GetSnapshot(CancellationToken ct) => Task.FromResult(_published ?? NextSnapshot());

    /// <summary>An operator's repair: everything reloaded now.</summary>
    public async Task<CommuneView> Reconcile(CancellationToken ct)
    {
        await ReconcileAsync(full: true, ct);
        return await Get(ct);
    }

    private Task ApplyAll(IEnumerable<IEntitySnapshot> snapshots)
    {
        var now = clock.GetUtcNow();
        foreach (var snapshot in snapshots) _changed |= _ledger.Apply(snapshot, now);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Open items and totals whole; sensors all of them, or only those saved since the last load (the ledger keeps the
    /// newer of what it holds and what it reads, and no sensor leaves a commune).
    /// </summary>
    private async Task LoadAsync(bool full, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var since = full ? null : _sensorsCursor;
        var contents = await projections.LoadCommuneAsync(_info.Code, now, since, ct);
        _ledger.Load(contents, now);
        _sensorsCursor = contents.SensorsCursor;
        if (since is null) _fullLoadAt = now;
        _changed = true;
    }

    private async Task ReconcileAsync(bool full, CancellationToken ct)
    {
        await LoadAsync(full, ct);
        LogReconciled(log, _info.Code, _ledger.OpenCases.Count, _ledger.OpenFeedback.Count, _ledger.Sensors.Count);
        await FlushAsync(ct);
        // The city may have missed a message (a silo died): it keeps the newest version, so repeating one is harmless.
        if (_published is { } published) await PublishAsync(published);
        await SaveVersionAsync(ct);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        if (_ledger.TotalsStale)
        {
            _ledger.SetTotals(await projections.TotalsAsync(_info.Code, clock.GetUtcNow(), ct));
            _changed = true;
        }
        if (!_changed) return;
        _changed = false;
        await PublishAsync(NextSnapshot());
    }

    /// <summary>Time alone changes some indicators (overdue items, sensors that stopped reporting): recompute now and then.</summary>
    private async Task RefreshAsync(CancellationToken ct)
    {
        if (_ledger.TotalsStale)
        {
            await FlushAsync(ct); // the totals first: never publish an item that left the open set but is not counted closed yet
            return;
        }
        var candidate = _ledger.Compute(_info.Code, state.State.Version, clock.GetUtcNow());
        if (_published is null || !SameIndicators(candidate, _published)) await PublishAsync(NextSnapshot());
    }

    /// <summary>
    /// The published indicators into the change feed, when they changed. On its own interleaving timer: it only reads
    /// the immutable published snapshot, and a slow feed must not hold back the recompute that the city waits for.
    /// </summary>
    private Task AnnounceAsync(CancellationToken ct) => _published is not { } published ? Task.CompletedTask
        : _changes.OfferAsync(published.Indicators, published.Version,
            () => new { Code = _info.Code, _info.Name, published.Indicators, UpdatedAt = published.ComputedAt }, ct);

    private async Task SaveVersionAsync(CancellationToken ct)
    {
        if (state.State.Version == _savedVersion) return;
        var version = state.State.Version;
        await state.WriteStateAsync(ct);
        _savedVersion = version;
    }

    private CommuneSnapshot NextSnapshot()
    {
        var now = clock.GetUtcNow();
        state.State.Version = Versions.Next(state.State.Version, now);
        _published = _ledger.Compute(_info.Code, state.State.Version, now);
        _view = null;
        return _published;
    }

    private CommuneView ViewOf(CommuneSnapshot snapshot) => new(_info.Code, _info.Name, _info.Type, _info.FullNameVi,
        snapshot.Indicators, snapshot.Sensors, snapshot.ActiveAlerts, snapshot.ComputedAt);

    private async Task PublishAsync(CommuneSnapshot snapshot)
    {
        try
        {
            await _toCity.OnNextAsync(snapshot);
            await AnnounceAlertChangesAsync(snapshot);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _changed = true; // try again on the next flush
            LogPublishFailed(log, _info.Code, ex);
        }
    }

    /// <summary>Tells live edges (MQTT) what changed about alerts: raised, acknowledged, level changed, cleared.</summary>
    private async Task AnnounceAlertChangesAsync(CommuneSnapshot snapshot)
    {
        var notices = AlertChanges.Between(_announced, snapshot.ActiveAlerts)
            .Select(c => new AlertNotice(c.Alert, c.Cleared ? AlertStatus.Cleared : c.Alert.Status, snapshot.ComputedAt))
            .ToArray();
        if (notices.Length == 0) return;
        await _alerts.OnNextAsync(notices);
        _announced = snapshot.ActiveAlerts;
    }

    private static bool SameIndicators(CommuneSnapshot a, CommuneSnapshot b) =>
        a.Indicators == b.Indicators && a.Sensors.SequenceEqual(b.Sensors) && a.ActiveAlerts.SequenceEqual(b.ActiveAlerts);

    [LoggerMessage(LogLevel.Debug, "Commune {Commune} reconciled: {OpenCases} open dossiers, {OpenFeedback} open reports, {Sensors} sensors")]
    private static partial void LogReconciled(ILogger log, string commune, int openCases, int openFeedback, int sensors);

    [LoggerMessage(LogLevel.Warning, "Commune {Commune} could not publish its indicators; retrying")]
    private static partial void LogPublishFailed(ILogger log, string commune, Exception ex);
}
