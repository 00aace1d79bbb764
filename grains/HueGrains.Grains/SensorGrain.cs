using HueGrains.Grains.Domain;
using Microsoft.Extensions.Logging;

namespace HueGrains.Grains;

[GrainType("sensor")]
public sealed partial class SensorGrain(
    [PersistentState("sensor", "hue")] IPersistentState<SensorState> state,
    SensorServices services) : Grain, ISensorGrain, StateSaver.IWriter
{
    private const int MaxHistoryPage = 10_000;

    /// <summary>Most readings an activation replays from the journal: the newest ones since the summary was saved.</summary>
    public const int MaxReplay = 20_000;

    private bool _unsaved;

    /// <summary>This activation's interval between summary writes while readings flow (see <see cref="SummaryInterval"/>).</summary>
    private TimeSpan _summaryEvery;
    private StateSaver _saver = null!;

    /// <summary>The device's quota, here where the device is one, whichever front end its messages cross.</summary>
    private TokenBucket _quota;

    private SensorState S => state.State;

    /// <summary>The device id: the state's, which activation sets from <see cref="KeyId"/>.</summary>
    private string Id => S.Id is { Length: > 0 } id ? id : KeyId;

    /// <summary>The device id in the grain key (which carries a prefix, see <see cref="Keys.SensorKey"/>).</summary>
    private string KeyId => Keys.SensorIdOf(this.GetPrimaryKeyString());

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _saver = new StateSaver(this);
        _quota = new TokenBucket(services.Ingest.DeviceMessagesPerSecond, services.Ingest.DeviceBurst);
        _summaryEvery = SummaryInterval(services.History.SensorSummaryMinutes, Random.Shared.NextDouble());
        if (S.Spec is not { } spec) return;
        S.Id = KeyId; // the key decides (states provisioned before they carried their id have none)
        // Readings acknowledged after the summary was written (a crash lost the next one) are in the journal; if there
        // are more than the replay bound, the newest matter (latest value, rolling windows, recent timestamps).
        var now = services.Clock.GetUtcNow();
        var since = S.SavedAt ?? S.ProvisionedAt;
        var missed = await services.Journal.ReadNewestAsync(Id, spec.Kind, since, now + IngestLimits.MaxFutureSkew, MaxReplay, cancellationToken);
        foreach (var reading in missed) Apply(reading, now);
        if (missed.Count > 0) S.LastSeen ??= missed[^1].At;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_unsaved) await _saver.SaveAsync();
    }

    public async Task<ProvisionResult> Provision(SensorSpec spec, CancellationToken ct)
    {
        spec = SensorRules.Normalize(spec);
        var created = S.Spec is null;
        string? deviceKey = null;
        if (created)
        {
            deviceKey = DeviceKeys.New();
            S.DeviceKeyHash = KeyDigest.Of(deviceKey);
            S.ProvisionedAt = services.Clock.GetUtcNow();
            S.Id = Id;
        }
        else if (S.Spec!.Kind != spec.Kind || S.Spec.Commune != spec.Commune)
        {
            throw new HueConflictException($"Sensor {Id} is a {S.Spec.Kind} sensor of commune {S.Spec.Commune}; kind and commune cannot change.");
        }

        S.Spec = spec;
        S.PositionWarning = await PositionWarningAsync(spec, ct);
        S.Alerts.Evaluate(spec, S.Latest, S.Stats.Snapshot(services.Clock.GetUtcNow()), services.Clock.GetUtcNow()); // new thresholds apply now
        NextVersion();
        await _saver.SaveAsync();
        if (created) LogProvisioned(services.Log, Id, spec.Kind, spec.Commune);
        Post();
        return new ProvisionResult(View(services.Clock.GetUtcNow()) with { DeviceKey = deviceKey }, created);
    }

    /// <summary>
    /// Interleaves with the sensor's other calls: it checks the readings, waits for the journal to make the new ones
    /// durable, and only then changes live state. If the journal fails nothing has changed, so a retry is safe. The
    /// recent timestamps are only a cheap first filter: the journal decides what is a duplicate (what it did not store),
    /// and only what it stored counts in the live figures.
    /// </summary>
    public async Task<IngestResult> Ingest(IReadOnlyList<Reading> readings, string? deviceKeyHash, string? unit, CancellationToken ct)
    {
        var spec = S.Spec ?? throw new HueNotFoundException($"Sensor {Id} is not provisioned.");
        if (deviceKeyHash is not null && !IsKey(deviceKeyHash))
            throw new HueForbiddenException("The device key does not belong to this sensor.");
        if (deviceKeyHash is not null) TakeQuota();
        if (readings.Count == 0) throw new HueValidationException("readings", "At least one reading is required.");
        if (readings.Count > IngestLimits.MaxBatch)
            throw new HueValidationException("readings", $"At most {IngestLimits.MaxBatch} readings per request.");

        if ((unit ?? spec.DeviceUnit) is { } given && given != spec.Unit)
        {
            if (SensorKinds.ToCanonical(spec.Kind, given, 0) is null)
                throw new HueValidationException("unit", $"Unit '{given}' does not fit a {spec.Kind} sensor; expected {spec.Unit}.");
            readings = [.. readings.Select(r => r with { Value = SensorKinds.ToCanonical(spec.Kind, given, r.Value)!.Value })];
        }

        var now = services.Clock.GetUtcNow();
        var oldest = now - services.History.Retention(spec.Kind);
        var outcomes = new ReadingOutcome[readings.Count];
        var fresh = new List<Reading>(readings.Count);
        var inBatch = readings.Count > 1 ? new HashSet<long>() : null; // a single reading cannot repeat itself
        for (var i = 0; i < readings.Count; i++)
        {
            var reading = readings[i];
            outcomes[i] = SensorRules.Check(spec.Kind, reading, now) is { } problem
                ? new ReadingOutcome(reading.At, ReadingStatus.Rejected, problem.Field, problem.Reason)
                : reading.At < oldest
                    ? new ReadingOutcome(reading.At, ReadingStatus.Rejected, "at", "Older than this kind's history retention.")
                    : S.Recent.Contains(reading.At.UtcTicks) || inBatch?.Add(reading.At.UtcTicks) == false
                        ? new ReadingOutcome(reading.At, ReadingStatus.Duplicate)
                        : new ReadingOutcome(reading.At, ReadingStatus.Accepted);
            if (outcomes[i].Status == ReadingStatus.Accepted) fresh.Add(reading);
        }
        if (fresh.Count == 0) return IngestResult.From(outcomes);

        var stored = await services.Journal.AppendAsync(Id, spec.Kind, fresh, ct);
        if (stored.Count < fresh.Count)
        {
            var storedAt = stored.Select(r => r.At.UtcTicks).ToHashSet();
            for (var i = 0; i < outcomes.Length; i++)
            {
                if (outcomes[i].Status == ReadingStatus.Accepted && !storedAt.Contains(outcomes[i].At.UtcTicks))
                    outcomes[i] = new ReadingOutcome(outcomes[i].At, ReadingStatus.Duplicate);
            }
            if (stored.Count == 0) return IngestResult.From(outcomes);
        }

        now = services.Clock.GetUtcNow();
        foreach (var reading in stored) Apply(reading, now);
        S.LastSeen = now;
        _unsaved = true;
        var alertChanged = EvaluateAlerts(now);
        Publish();
        if (alertChanged || now - (S.SavedAt ?? S.ProvisionedAt) >= _summaryEvery) await _saver.SaveAsync();
        return IngestResult.From(outcomes);
    }

    /// <summary>
    /// Between half and all of <c>Hue:History:SensorSummaryMinutes</c>, drawn per activation: sensors provisioned or
    /// activated together would otherwise all write their summaries in the same minute, again and again (measured:
    /// 20,000 state writes at once, W1b down from ~4,000 to ~1,600 readings/s while they ran).
    /// </summary>
    internal static TimeSpan SummaryInterval(int minutes, double random) => TimeSpan.FromMinutes(minutes * (0.5 + 0.5 * random));

    /// <summary>One message of the device (operators are not limited); over quota is a 429 / an MQTT quota refusal.</summary>
    private void TakeQuota()
    {
        if (!_quota.TryTake(services.Clock.GetUtcNow(), out var wait))
            throw new HueQuotaExceededException("This device sends faster than its quota; slow down.", wait);
    }

    public async Task<string> RotateKey(CancellationToken ct)
    {
        if (S.Spec is null) throw new HueNotFoundException($"Sensor {Id} is not provisioned.");
        var key = DeviceKeys.New();
        S.DeviceKeyHash = KeyDigest.Of(key);
        await _saver.SaveAsync();
        LogKeyChanged(services.Log, Id, "rotated");
        await AnnounceKeyChangeAsync();
        return key;
    }

    public async Task RevokeKey(CancellationToken ct)
    {
        if (S.Spec is null) throw new HueNotFoundException($"Sensor {Id} is not provisioned.");
        S.DeviceKeyHash = null;
        await _saver.SaveAsync();
        LogKeyChanged(services.Log, Id, "revoked");
        await AnnounceKeyChangeAsync();
    }

    /// <summary>
    /// Tells the MQTT edges to close the device's open sessions. The key is already saved, so a failure here does not fail
    /// the rotation: an old session then ends at its next publish, whose ingest checks the key.
    /// </summary>
    private async Task AnnounceKeyChangeAsync()
    {
        try
        {
            await this.GetStreamProvider(HueStreams.AlertsProvider)
                .GetStream<DeviceKeyChanged>(StreamId.Create(HueStreams.DeviceKeyChanges, Keys.City))
                .OnNextAsync(new DeviceKeyChanged(Id));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogKeyChangeNotAnnounced(services.Log, Id, ex.GetType().Name);
        }
    }

    public Task<bool> IsDeviceKey(string deviceKeyHash, CancellationToken ct) => Task.FromResult(IsKey(deviceKeyHash));

    private bool IsKey(string deviceKeyHash) =>
        S.DeviceKeyHash is { } stored && KeyDigest.TryParse(deviceKeyHash, out var presented) && presented.FixedTimeEquals(stored);

    public Task<SensorView?> Get(CancellationToken ct) =>
        Task.FromResult(S.Spec is null ? null : View(services.Clock.GetUtcNow()));

    public Task<SensorSnapshot?> GetSnapshot(CancellationToken ct) =>
        Task.FromResult(S.Spec is null ? null : Snapshot());

    public async Task<SensorHistory> History(DateTimeOffset from, DateTimeOffset to, TimeBucket bucket, int limit, CancellationToken ct)
    {
        var spec = S.Spec ?? throw new HueNotFoundException($"Sensor {Id} is not provisioned.");
        if (to <= from) throw new HueValidationException("to", "'to' must be after 'from'.");
        if (bucket == TimeBucket.Raw)
        {
            limit = Math.Clamp(limit, 1, MaxHistoryPage);
            var page = await services.Journal.ReadAsync(Id, spec.Kind, from, to, limit + 1, ct);
            var more = page.Count > limit;
            return new SensorHistory(Id, bucket, from, to, [.. page.Take(limit)], null, more ? page[limit].At : null);
        }
        if ((to - from) / bucket.Width() > MaxHistoryPage)
            throw new HueValidationException("bucket", $"At most {MaxHistoryPage} buckets per request; narrow the range or widen the bucket.");
        var buckets = await services.Journal.AggregateAsync(Id, spec.Kind, from, to, bucket, ct);
        return new SensorHistory(Id, bucket, from, to, null, buckets, null);
    }

    /// <summary>Adds a durable reading to the live figures; a timestamp seen before counts once.</summary>
    private void Apply(Reading reading, DateTimeOffset now)
    {
        if (!S.Recent.Add(reading.At.UtcTicks)) return;
        S.Stats.Add(reading, now);
        if (S.Latest is null || reading.At > S.Latest.At) S.Latest = reading;
    }

    async Task StateSaver.IWriter.WriteStateAsync()
    {
        S.SavedAt = services.Clock.GetUtcNow();
        _unsaved = false;
        await state.WriteStateAsync();
    }

    /// <summary>Runs the alert rules; returns whether an alert was raised, changed level or cleared.</summary>
    private bool EvaluateAlerts(DateTimeOffset now)
    {
        var before = S.Alerts.HighestLevel;
        if (!S.Alerts.Evaluate(S.Spec!, S.Latest, S.Stats.Snapshot(now), now)) return false;
        LogAlertChanged(services.Log, Id, before, S.Alerts.HighestLevel);
        return true;
    }

    public async Task<SensorAlert> AcknowledgeAlert(string rule, Actor actor, CancellationToken ct)
    {
        var spec = S.Spec ?? throw new HueNotFoundException($"Sensor {Id} is not provisioned.");
        if (!actor.IsOfficialOf(spec.Commune) && actor.Role != Roles.Operator)
            throw new HueForbiddenException("Alerts are acknowledged by an official of the sensor's commune or an operator.");
        var alert = S.Alerts.Acknowledge(rule, actor.Role, services.Clock.GetUtcNow());
        NextVersion();
        await _saver.SaveAsync();
        Post();
        return alert;
    }

    public Task<SensorAlerts> GetAlerts(CancellationToken ct) =>
        Task.FromResult(new SensorAlerts(Id, S.Alerts.ActiveByRule(), [.. S.Alerts.History.AsEnumerable().Reverse()]));

    /// <summary>A position outside the stated commune's loaded boundary is shown as a warning, not refused (the boundary may be the one at fault).</summary>
    private async Task<string?> PositionWarningAsync(SensorSpec spec, CancellationToken ct)
    {
        if ((await services.Locator.CurrentAsync(ct)).Covers(spec.Commune, spec.Latitude, spec.Longitude) is not false) return null;
        var name = CityMap.Find(spec.Commune)?.FullNameVi ?? spec.Commune;
        return $"Vị trí nằm ngoài ranh giới {name} / The position lies outside the boundary of {name} ({spec.Commune}).";
    }

    private void Publish()
    {
        NextVersion();
        Post();
    }

    /// <summary>
    /// Before a state write that changes what the commune sees, so the saved row carries the version it is published
    /// with: a reconcile keeps the newer of the two, and a row that differs under the same version would never repair.
    /// </summary>
    private void NextVersion() => S.Version = Versions.Next(S.Version, services.Clock.GetUtcNow());

    private void Post() => services.Outbox.Post(S.Spec!.Commune, Snapshot());

    private SensorSnapshot Snapshot() => S.Snapshot();

    private SensorView View(DateTimeOffset now)
    {
        var spec = S.Spec!;
        var snapshot = Snapshot(); // the same alerts and online rule the commune sees
        int? aqi = spec.Kind == SensorKind.Pm25 && S.Latest is not null ? VnAqi.FromPm25(S.Latest.Value) : null;
        return new SensorView(Id, spec.Kind, spec.Unit, spec.Commune, spec.Latitude, spec.Longitude,
            spec.Label, spec.Thresholds!, S.Latest, S.Stats.Snapshot(now), snapshot.AlertLevel, aqi, snapshot.AqiBand,
            S.LastSeen, S.ProvisionedAt, snapshot.Alerts, snapshot.IsOnline(now), (int)snapshot.ExpectedInterval.TotalSeconds,
            spec.DeviceUnit, Warning: S.PositionWarning);
    }

    [LoggerMessage(LogLevel.Information, "Sensor {SensorId} provisioned: {Kind} in commune {Commune}")]
    private static partial void LogProvisioned(ILogger log, string sensorId, SensorKind kind, string commune);

    [LoggerMessage(LogLevel.Information, "Sensor {SensorId} device key {Change}")]
    private static partial void LogKeyChanged(ILogger log, string sensorId, string change);

    [LoggerMessage(LogLevel.Warning, "Sensor {SensorId} key change not announced to the edges ({Reason}); old sessions end at their next publish")]
    private static partial void LogKeyChangeNotAnnounced(ILogger log, string sensorId, string reason);

    [LoggerMessage(LogLevel.Information, "Sensor {SensorId} alert level {From} -> {To}")]
    private static partial void LogAlertChanged(ILogger log, string sensorId, int from, int to);
}
