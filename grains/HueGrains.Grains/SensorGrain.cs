using Microsoft.Extensions.DependencyInjection;
using HueGrains.Grains.Domain;
using HueGrains.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HueGrains.Grains;

[GrainType("sensor")]
public sealed partial class SensorGrain(
    [PersistentState("sensor", "hue")] IPersistentState<SensorState> state,
    IReadingJournal journal,
    SensorOutbox outbox,
    IOptions<HistoryOptions> history,
    [FromKeyedServices(HueTime.Key)] TimeProvider clock,
    ILogger<SensorGrain> log) : Grain, ISensorGrain
{
    private const int RecentCapacity = 512;
    private const int MaxHistoryPage = 10_000;
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly HashSet<long> _recent = [];
    private readonly Queue<long> _recentOrder = new();
    private readonly RollingStats _stats = new();
    private Reading? _latest;
    private DateTimeOffset? _lastSeen;
    private StateSaver _saver = null!;

    private SensorState S => state.State;

    /// <summary>The device id (the grain key carries a prefix, see <see cref="Keys.SensorKey"/>).</summary>
    private string Id => Keys.SensorIdOf(this.GetPrimaryKeyString());

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _saver = new StateSaver(() => state.WriteStateAsync());
        if (S.Spec is not { } spec) return;
        // Rebuild live figures from the last day of history: it holds every acknowledged reading.
        var now = clock.GetUtcNow();
        var recent = await journal.ReadAsync(Id, spec.Kind, now - Day, now + IngestLimits.MaxFutureSkew, 200_000, cancellationToken);
        foreach (var reading in recent) Apply(reading, now);
        _lastSeen = _latest?.At;
    }

    public async Task<ProvisionResult> Provision(SensorSpec spec, CancellationToken ct)
    {
        spec = SensorRules.Normalize(spec);
        var created = S.Spec is null;
        string? deviceKey = null;
        if (created)
        {
            deviceKey = DeviceKeys.New();
            S.DeviceKeyHash = DeviceKeys.Hash(deviceKey);
            S.ProvisionedAt = clock.GetUtcNow();
        }
        else if (S.Spec!.Kind != spec.Kind || S.Spec.Commune != spec.Commune)
        {
            throw new HueConflictException($"Sensor {Id} is a {S.Spec.Kind} sensor of commune {S.Spec.Commune}; kind and commune cannot change.");
        }

        S.Spec = spec;
        S.Alerts.Evaluate(spec, _latest, _stats.Snapshot(clock.GetUtcNow()), clock.GetUtcNow()); // new thresholds apply now
        if (created) await GrainFactory.GetGrain<ICommuneGrain>(spec.Commune).Enroll(new EntityRef(EntityKind.Sensor, Id), ct);
        await _saver.SaveAsync();
        if (created) LogProvisioned(log, Id, spec.Kind, spec.Commune);
        Publish();
        return new ProvisionResult(View(clock.GetUtcNow()) with { DeviceKey = deviceKey }, created);
    }

    /// <summary>
    /// Interleaves with the sensor's other calls: it sorts the readings, waits for the journal to make the new ones
    /// durable, and only then changes live state. If the journal fails nothing has changed, so a retry is safe.
    /// </summary>
    public async Task<IngestResult> Ingest(IReadOnlyList<Reading> readings, string? deviceKeyHash, string? unit, CancellationToken ct)
    {
        var spec = S.Spec ?? throw new HueNotFoundException($"Sensor {Id} is not provisioned.");
        if (deviceKeyHash is not null && (S.DeviceKeyHash is null || !DeviceKeys.Matches(deviceKeyHash, S.DeviceKeyHash)))
            throw new HueForbiddenException("The device key does not belong to this sensor.");
        if (readings.Count == 0) throw new HueValidationException("readings", "At least one reading is required.");
        if (readings.Count > IngestLimits.MaxBatch)
            throw new HueValidationException("readings", $"At most {IngestLimits.MaxBatch} readings per request.");

        if ((unit ?? spec.DeviceUnit) is { } given && given != spec.Unit)
        {
            if (SensorKinds.ToCanonical(spec.Kind, given, 0) is null)
                throw new HueValidationException("unit", $"Unit '{given}' does not fit a {spec.Kind} sensor; expected {spec.Unit}.");
            readings = [.. readings.Select(r => r with { Value = SensorKinds.ToCanonical(spec.Kind, given, r.Value)!.Value })];
        }

        var now = clock.GetUtcNow();
        var oldest = now - history.Value.Retention(spec.Kind);
        var outcomes = new ReadingOutcome[readings.Count];
        var fresh = new List<Reading>();
        var inBatch = new HashSet<long>();
        for (var i = 0; i < readings.Count; i++)
        {
            var reading = readings[i];
            outcomes[i] = SensorRules.Check(spec.Kind, reading, now) is { } problem
                ? new ReadingOutcome(reading.At, ReadingStatus.Rejected, problem.Field, problem.Reason)
                : reading.At < oldest
                    ? new ReadingOutcome(reading.At, ReadingStatus.Rejected, "at", "Older than this kind's history retention.")
                    : _recent.Contains(reading.At.UtcTicks) || !inBatch.Add(reading.At.UtcTicks)
                        ? new ReadingOutcome(reading.At, ReadingStatus.Duplicate)
                        : new ReadingOutcome(reading.At, ReadingStatus.Accepted);
            if (outcomes[i].Status == ReadingStatus.Accepted) fresh.Add(reading);
        }
        if (fresh.Count == 0) return IngestResult.From(outcomes);

        await journal.AppendAsync(Id, spec.Kind, fresh, ct);

        now = clock.GetUtcNow();
        foreach (var reading in fresh) Apply(reading, now);
        _lastSeen = now;
        if (EvaluateAlerts(now)) await _saver.SaveAsync();
        Publish();
        return IngestResult.From(outcomes);
    }

    public async Task<string> RotateKey(CancellationToken ct)
    {
        if (S.Spec is null) throw new HueNotFoundException($"Sensor {Id} is not provisioned.");
        var key = DeviceKeys.New();
        S.DeviceKeyHash = DeviceKeys.Hash(key);
        await _saver.SaveAsync();
        LogKeyChanged(log, Id, "rotated");
        return key;
    }

    public async Task RevokeKey(CancellationToken ct)
    {
        if (S.Spec is null) throw new HueNotFoundException($"Sensor {Id} is not provisioned.");
        S.DeviceKeyHash = null;
        await _saver.SaveAsync();
        LogKeyChanged(log, Id, "revoked");
    }

    public Task<bool> IsDeviceKey(string deviceKeyHash, CancellationToken ct) =>
        Task.FromResult(S.DeviceKeyHash is { } stored && DeviceKeys.Matches(deviceKeyHash, stored));

    public Task<SensorView?> Get(CancellationToken ct) =>
        Task.FromResult(S.Spec is null ? null : View(clock.GetUtcNow()));

    public Task<SensorSnapshot?> GetSnapshot(CancellationToken ct) =>
        Task.FromResult(S.Spec is null ? null : Snapshot());

    public async Task<SensorHistory> History(DateTimeOffset from, DateTimeOffset to, TimeBucket bucket, int limit, CancellationToken ct)
    {
        var spec = S.Spec ?? throw new HueNotFoundException($"Sensor {Id} is not provisioned.");
        if (to <= from) throw new HueValidationException("to", "'to' must be after 'from'.");
        if (bucket == TimeBucket.Raw)
        {
            limit = Math.Clamp(limit, 1, MaxHistoryPage);
            var page = await journal.ReadAsync(Id, spec.Kind, from, to, limit + 1, ct);
            var more = page.Count > limit;
            return new SensorHistory(Id, bucket, from, to, [.. page.Take(limit)], null, more ? page[limit].At : null);
        }
        if ((to - from) / bucket.Width() > MaxHistoryPage)
            throw new HueValidationException("bucket", $"At most {MaxHistoryPage} buckets per request; narrow the range or widen the bucket.");
        var buckets = await journal.AggregateAsync(Id, spec.Kind, from, to, bucket, ct);
        return new SensorHistory(Id, bucket, from, to, null, buckets, null);
    }

    /// <summary>Adds a durable reading to the live figures; a timestamp seen before counts once.</summary>
    private void Apply(Reading reading, DateTimeOffset now)
    {
        if (!_recent.Add(reading.At.UtcTicks)) return;
        _recentOrder.Enqueue(reading.At.UtcTicks);
        if (_recentOrder.Count > RecentCapacity) _recent.Remove(_recentOrder.Dequeue());
        _stats.Add(reading, now);
        if (_latest is null || reading.At > _latest.At) _latest = reading;
    }

    /// <summary>Runs the alert rules; returns whether an alert was raised, changed level or cleared.</summary>
    private bool EvaluateAlerts(DateTimeOffset now)
    {
        var before = S.Alerts.HighestLevel;
        if (!S.Alerts.Evaluate(S.Spec!, _latest, _stats.Snapshot(now), now)) return false;
        LogAlertChanged(log, Id, before, S.Alerts.HighestLevel);
        return true;
    }

    public async Task<SensorAlert> AcknowledgeAlert(string rule, Actor actor, CancellationToken ct)
    {
        var spec = S.Spec ?? throw new HueNotFoundException($"Sensor {Id} is not provisioned.");
        if (!actor.IsOfficialOf(spec.Commune) && actor.Role != Roles.Operator)
            throw new HueForbiddenException("Alerts are acknowledged by an official of the sensor's commune or an operator.");
        var alert = S.Alerts.Acknowledge(rule, actor.Role, clock.GetUtcNow());
        await _saver.SaveAsync();
        Publish();
        return alert;
    }

    public Task<SensorAlerts> GetAlerts(CancellationToken ct) =>
        Task.FromResult(new SensorAlerts(Id, S.Alerts.ActiveByRule(), [.. S.Alerts.History.AsEnumerable().Reverse()]));

    private void Publish()
    {
        S.Version = Versions.Next(S.Version, clock.GetUtcNow());
        outbox.Post(S.Spec!.Commune, Snapshot());
    }

    private SensorSnapshot Snapshot() =>
        new(Id, S.Version, S.Spec!.Kind, _latest, S.Alerts.HighestLevel, AqiBandOf(_latest), S.Alerts.ActiveByRule(),
            ExpectedInterval, S.ProvisionedAt);

    private TimeSpan ExpectedInterval => TimeSpan.FromSeconds(S.Spec!.ExpectedIntervalSeconds ?? S.Spec.Kind.Info().ExpectedIntervalSeconds);

    private AqiBand? AqiBandOf(Reading? latest) =>
        S.Spec!.Kind == SensorKind.Pm25 && latest is not null ? VnAqi.Band(VnAqi.FromPm25(latest.Value)) : null;

    private SensorView View(DateTimeOffset now)
    {
        var spec = S.Spec!;
        var snapshot = Snapshot(); // the same alerts and online rule the commune sees
        int? aqi = spec.Kind == SensorKind.Pm25 && _latest is not null ? VnAqi.FromPm25(_latest.Value) : null;
        return new SensorView(Id, spec.Kind, spec.Unit, spec.Commune, spec.Latitude, spec.Longitude,
            spec.Label, spec.Thresholds!, _latest, _stats.Snapshot(now), snapshot.AlertLevel, aqi, snapshot.AqiBand,
            _lastSeen, S.ProvisionedAt, snapshot.Alerts, snapshot.IsOnline(now), (int)snapshot.ExpectedInterval.TotalSeconds,
            spec.DeviceUnit);
    }

    [LoggerMessage(LogLevel.Information, "Sensor {SensorId} provisioned: {Kind} in commune {Commune}")]
    private static partial void LogProvisioned(ILogger log, string sensorId, SensorKind kind, string commune);

    [LoggerMessage(LogLevel.Information, "Sensor {SensorId} device key {Change}")]
    private static partial void LogKeyChanged(ILogger log, string sensorId, string change);

    [LoggerMessage(LogLevel.Information, "Sensor {SensorId} alert level {From} -> {To}")]
    private static partial void LogAlertChanged(ILogger log, string sensorId, int from, int to);
}
