using HueGrains.Grains.Domain;
using Microsoft.Extensions.Logging;

namespace HueGrains.Grains;

[GrainType("sensor")]
public sealed partial class SensorGrain(
    [PersistentState("sensor", "hue")] IPersistentState<SensorState> state,
    SensorOutbox outbox,
    TimeProvider clock,
    ILogger<SensorGrain> log) : Grain, ISensorGrain
{
    private const int RecentCapacity = 512;
    private static readonly TimeSpan WriteEvery = TimeSpan.FromSeconds(30);

    private readonly HashSet<long> _recent = [];
    private DateTimeOffset _lastWrite;

    private SensorState S => state.State;

    /// <summary>The device id (the grain key carries a prefix, see <see cref="Keys.SensorKey"/>).</summary>
    private string Id => Keys.SensorIdOf(this.GetPrimaryKeyString());

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _recent.UnionWith(S.Recent);
        _lastWrite = clock.GetUtcNow();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (S.Spec is not null) await state.WriteStateAsync(cancellationToken);
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
        RefreshAlert(clock.GetUtcNow());
        await WriteAsync(ct);
        if (created)
        {
            await GrainFactory.GetGrain<ICommuneGrain>(spec.Commune).Enroll(new EntityRef(EntityKind.Sensor, Id), ct);
            LogProvisioned(log, Id, spec.Kind, spec.Commune);
        }
        Publish();
        return new ProvisionResult(View(clock.GetUtcNow()) with { DeviceKey = deviceKey }, created);
    }

    public async Task<IngestResult> Ingest(IReadOnlyList<Reading> readings, string? deviceKeyHash, CancellationToken ct)
    {
        var spec = S.Spec ?? throw new HueNotFoundException($"Sensor {Id} is not provisioned.");
        if (deviceKeyHash is not null && !DeviceKeys.Matches(deviceKeyHash, S.DeviceKeyHash!))
            throw new HueForbiddenException("The device key does not belong to this sensor.");
        if (readings.Count == 0) throw new HueValidationException("readings", "At least one reading is required.");
        if (readings.Count > IngestLimits.MaxBatch)
            throw new HueValidationException("readings", $"At most {IngestLimits.MaxBatch} readings per request.");

        var now = clock.GetUtcNow();
        var outcomes = new ReadingOutcome[readings.Count];
        var accepted = 0;
        for (var i = 0; i < readings.Count; i++)
        {
            var reading = readings[i];
            if (SensorRules.Check(spec.Kind, reading, now) is { } problem)
            {
                outcomes[i] = new ReadingOutcome(reading.At, ReadingStatus.Rejected, problem.Field, problem.Reason);
            }
            else if (!Remember(reading.At))
            {
                outcomes[i] = new ReadingOutcome(reading.At, ReadingStatus.Duplicate);
            }
            else
            {
                S.Stats.Add(reading, now);
                if (S.Latest is null || reading.At > S.Latest.At) S.Latest = reading;
                outcomes[i] = new ReadingOutcome(reading.At, ReadingStatus.Accepted);
                accepted++;
            }
        }

        if (accepted > 0)
        {
            S.LastSeen = now;
            var alertChanged = RefreshAlert(now);
            if (alertChanged || now - _lastWrite >= WriteEvery) await WriteAsync(ct);
            Publish();
        }
        return IngestResult.From(outcomes);
    }

    public Task<SensorView?> Get(CancellationToken ct) =>
        Task.FromResult(S.Spec is null ? null : View(clock.GetUtcNow()));

    public Task<SensorSnapshot?> GetSnapshot(CancellationToken ct) =>
        Task.FromResult(S.Spec is null ? null : Snapshot());

    private bool Remember(DateTimeOffset at)
    {
        if (!_recent.Add(at.UtcTicks)) return false;
        S.Recent.Add(at.UtcTicks);
        if (S.Recent.Count > RecentCapacity)
        {
            _recent.Remove(S.Recent[0]);
            S.Recent.RemoveAt(0);
        }
        return true;
    }

    /// <summary>Re-evaluates the alert level; returns whether it changed.</summary>
    private bool RefreshAlert(DateTimeOffset now)
    {
        var measure = SensorRules.AlertMeasure(S.Spec!.Kind, S.Latest, S.Stats.Snapshot(now));
        var level = measure is { } m ? SensorRules.AlertLevel(m, S.Spec.Thresholds!) : 0;
        if (level == S.AlertLevel) return false;
        LogAlertChanged(log, Id, S.AlertLevel, level);
        S.AlertLevel = level;
        return true;
    }

    private void Publish()
    {
        S.Version = Versions.Next(S.Version, clock.GetUtcNow());
        outbox.Post(S.Spec!.Commune, Snapshot());
    }

    private async Task WriteAsync(CancellationToken ct)
    {
        await state.WriteStateAsync(ct);
        _lastWrite = clock.GetUtcNow();
    }

    private SensorSnapshot Snapshot() =>
        new(Id, S.Version, S.Spec!.Kind, S.Latest, S.AlertLevel, AqiBandOf(S.Latest));

    private AqiBand? AqiBandOf(Reading? latest) =>
        S.Spec!.Kind == SensorKind.Pm25 && latest is not null ? VnAqi.Band(VnAqi.FromPm25(latest.Value)) : null;

    private SensorView View(DateTimeOffset now)
    {
        var spec = S.Spec!;
        int? aqi = spec.Kind == SensorKind.Pm25 && S.Latest is not null ? VnAqi.FromPm25(S.Latest.Value) : null;
        return new SensorView(Id, spec.Kind, spec.Unit, spec.Commune, spec.Latitude, spec.Longitude,
            spec.Label, spec.Thresholds!, S.Latest, S.Stats.Snapshot(now), S.AlertLevel, aqi, AqiBandOf(S.Latest),
            S.LastSeen, S.ProvisionedAt);
    }

    [LoggerMessage(LogLevel.Information, "Sensor {SensorId} provisioned: {Kind} in commune {Commune}")]
    private static partial void LogProvisioned(ILogger log, string sensorId, SensorKind kind, string commune);

    [LoggerMessage(LogLevel.Information, "Sensor {SensorId} alert level {From} -> {To}")]
    private static partial void LogAlertChanged(ILogger log, string sensorId, int from, int to);
}
