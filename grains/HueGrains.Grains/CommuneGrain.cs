using Microsoft.Extensions.DependencyInjection;
using HueGrains.Grains.Domain;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace HueGrains.Grains;

/// <summary>
/// A ward or commune: applies the snapshots its sensors, reports and dossiers publish, and sends its indicators to the
/// City on a short timer (staged aggregation). Its state is derived; reconcile rebuilds it from the entities.
/// </summary>
[GrainType("commune")]
[ImplicitStreamSubscription(HueStreams.SensorEvents)]
[ImplicitStreamSubscription(HueStreams.FeedbackEvents)]
[ImplicitStreamSubscription(HueStreams.CaseEvents)]
public sealed partial class CommuneGrain(
    [PersistentState("commune", "hue")] IPersistentState<CommuneState> state,
    [FromKeyedServices(HueTime.Key)] TimeProvider clock,
    ILogger<CommuneGrain> log) : Grain, ICommuneGrain, IStreamSubscriptionObserver
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);
    // Time alone turns dossiers and reports overdue and sensors offline: recomputed every second, so leaders see it within 2 s.
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    // The ledger is derived (reconcile rebuilds it), and large: written at most this often.
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReconcileInterval = TimeSpan.FromMinutes(10);

    private CommuneInfo _info = null!;
    private IAsyncStream<CommuneSnapshot> _toCity = null!;
    private IAsyncStream<AlertNotice[]> _alerts = null!;
    private IReadOnlyList<ActiveAlert> _announced = [];
    private CommuneSnapshot? _published;
    private bool _changed;
    private bool _unsaved;

    private CommuneLedger Ledger => state.State.Ledger;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var code = this.GetPrimaryKeyString();
        _info = CityMap.Find(code) ?? throw new HueNotFoundException($"Unknown commune code '{code}'.");
        _toCity = this.GetStreamProvider(HueStreams.Provider)
            .GetStream<CommuneSnapshot>(StreamId.Create(HueStreams.CommuneIndicators, Keys.City));
        _alerts = this.GetStreamProvider(HueStreams.Provider).GetStream<AlertNotice[]>(StreamId.Create(HueStreams.Alerts, code));

        this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(FlushInterval, FlushInterval));
        this.RegisterGrainTimer(RefreshAsync, new GrainTimerCreationOptions(RefreshInterval, RefreshInterval));
        this.RegisterGrainTimer(SaveAsync, new GrainTimerCreationOptions(SaveInterval, SaveInterval));
        // Reconcile soon after activation (not inside it, so activation stays quick) and then periodically.
        this.RegisterGrainTimer(ReconcileAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), ReconcileInterval));
        _changed = true;
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_unsaved) await state.WriteStateAsync(cancellationToken);
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.StreamId.GetNamespace() switch
    {
        HueStreams.SensorEvents => handleFactory.Create<SensorEventBatch>().ResumeAsync((batch, _) => ApplyAll(batch.Sensors)),
        HueStreams.FeedbackEvents => handleFactory.Create<FeedbackSnapshot>().ResumeAsync((f, _) => ApplyAll([f])),
        HueStreams.CaseEvents => handleFactory.Create<CaseSnapshot>().ResumeAsync((c, _) => ApplyAll([c])),
        _ => Task.CompletedTask,
    };

    public Task<CommuneView> Get(CancellationToken ct)
    {
        var snapshot = Ledger.Compute(_info.Code, state.State.Version, clock.GetUtcNow());
        return Task.FromResult(new CommuneView(_info.Code, _info.Name, _info.Type, _info.FullNameVi, snapshot.Indicators,
            snapshot.Sensors, snapshot.ActiveAlerts, _published?.ComputedAt));
    }

    public Task<CommuneSnapshot> GetSnapshot(CancellationToken ct) => Task.FromResult(_published ?? NextSnapshot());

    public Task<IReadOnlyList<CaseSummary>> Cases(CaseQuery query, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return Task.FromResult<IReadOnlyList<CaseSummary>>([.. Ledger.Cases.Values
            .Where(c => (query.Status is null || c.Status == query.Status) && (query.Overdue is null || c.IsOverdue(now) == query.Overdue)
                && (query.From is null || c.FiledAt >= query.From) && (query.To is null || c.FiledAt < query.To)
                && (query.After is null || query.After.Precedes(c.FiledAt, c.EntityId)))
            .OrderByDescending(c => c.FiledAt).ThenByDescending(c => c.EntityId, StringComparer.Ordinal)
            .Take(query.Limit)
            .Select(c => new CaseSummary(c.EntityId, c.Procedure, c.Status, c.FiledAt, c.DueAt, c.IsOverdue(now)))]);
    }

    public Task<IReadOnlyList<FeedbackSummary>> Feedback(FeedbackQuery query, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return Task.FromResult<IReadOnlyList<FeedbackSummary>>([.. Ledger.Feedback.Values
            .Where(f => (query.Category is null || f.Category == query.Category)
                && (query.Open is null || f.Status.IsOpen() == query.Open)
                && (query.From is null || f.SubmittedAt >= query.From) && (query.To is null || f.SubmittedAt < query.To)
                && (query.After is null || query.After.Precedes(f.SubmittedAt, f.EntityId)))
            .OrderByDescending(f => f.SubmittedAt).ThenByDescending(f => f.EntityId, StringComparer.Ordinal)
            .Take(query.Limit)
            .Select(f => new FeedbackSummary(f.EntityId, f.Category, f.Status, f.SubmittedAt, f.DueAt, f.IsOverdue(now), _info.Code))]);
    }

    public Task Enroll(EntityRef entity, CancellationToken ct)
    {
        if (Ledger.Enroll(entity)) _unsaved = true;
        return Task.CompletedTask;
    }

    public async Task<CommuneView> Reconcile(CancellationToken ct)
    {
        await ReconcileAsync(ct);
        return await Get(ct);
    }

    private Task ApplyAll(IEnumerable<IEntitySnapshot> snapshots)
    {
        foreach (var snapshot in snapshots)
        {
            if (Ledger.Apply(snapshot)) _changed = _unsaved = true;
        }
        return Task.CompletedTask;
    }

    private async Task ReconcileAsync(CancellationToken ct)
    {
        var members = Ledger.Members().ToList();
        foreach (var chunk in members.Chunk(200))
        {
            var snapshots = await Task.WhenAll(chunk.Select(m => Fetch(m, ct)));
            for (var i = 0; i < chunk.Length; i++)
            {
                if (snapshots[i] is { } s) Ledger.Replace(s);
                else Ledger.Remove(chunk[i]);
            }
        }
        _changed = _unsaved = true;
        LogReconciled(log, _info.Code, members.Count);
        await FlushAsync(ct);
    }

    private async Task<IEntitySnapshot?> Fetch(EntityRef entity, CancellationToken ct) => entity.Kind switch
    {
        EntityKind.Sensor => await GrainFactory.Sensor(entity.Id).GetSnapshot(ct),
        EntityKind.Feedback => await GrainFactory.GetGrain<IFeedbackGrain>(entity.Id).GetSnapshot(ct),
        _ => await GrainFactory.GetGrain<ICaseGrain>(entity.Id).GetSnapshot(ct),
    };

    private async Task FlushAsync(CancellationToken ct)
    {
        if (!_changed) return;
        _changed = false;
        await PublishAsync(NextSnapshot());
    }

    /// <summary>Time alone changes some indicators (overdue items, sensors that stopped reporting): recompute now and then.</summary>
    private async Task RefreshAsync(CancellationToken ct)
    {
        var candidate = Ledger.Compute(_info.Code, state.State.Version, clock.GetUtcNow());
        if (_published is null || !SameIndicators(candidate, _published)) await PublishAsync(NextSnapshot());
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        if (!_unsaved) return;
        _unsaved = false;
        await state.WriteStateAsync(ct);
    }

    private CommuneSnapshot NextSnapshot()
    {
        var now = clock.GetUtcNow();
        state.State.Version = Versions.Next(state.State.Version, now);
        return _published = Ledger.Compute(_info.Code, state.State.Version, now);
    }

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

    [LoggerMessage(LogLevel.Debug, "Commune {Commune} reconciled from {Members} entities")]
    private static partial void LogReconciled(ILogger log, string commune, int members);

    [LoggerMessage(LogLevel.Warning, "Commune {Commune} could not publish its indicators; retrying")]
    private static partial void LogPublishFailed(ILogger log, string commune, Exception ex);
}
