using System.Collections.Concurrent;
using HueGrains.Grains;
using HueGrains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace HueGrains.Tests.Cluster;

/// <summary>
/// A commune's periodic reconcile reads every sensor only now and then: between full reloads it asks for the sensors
/// saved since its last read (less the overlap), so its cost follows what changed, not how many sensors it has.
/// </summary>
public sealed class ReconcileTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly ConcurrentQueue<(string Commune, DateTimeOffset? Since, DateTimeOffset AsOf)> _loads = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(HueTime.Key, _clock);
            silo.AddHueInMemoryProviders().AddHueGrains();
            silo.Services.Configure<CommuneOptions>(o => (o.ReconcileSeconds, o.FullReconcileMinutes) = (1, 10));
            silo.Services.AddSingleton<IProjectionStore>(sp => new RecordingStore(sp.GetRequiredService<MemoryProjectionStore>(), _clock, _loads));
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Between_full_reloads_a_reconcile_reads_the_sensors_saved_since_the_last_read_less_a_minute()
    {
        var code = CityMap.Communes[5].Code;
        var commune = _cluster.Client.GetGrain<ICommuneGrain>(code);
        await commune.Get();
        var loads = await LoadsAsync(code, 3);
        Assert.Null(loads[0].Since); // activation: everything
        Assert.Equal(loads[0].AsOf - CommuneGrain.SavedSinceOverlap, loads[1].Since);
        Assert.Equal(loads[1].AsOf - CommuneGrain.SavedSinceOverlap, loads[2].Since);

        var seen = _loads.Count(l => l.Commune == code);
        _clock.Advance(TimeSpan.FromMinutes(10));
        var after = (await LoadsAsync(code, seen + 3)).Skip(seen).ToList();
        var full = after.FindIndex(l => l.Since is null); // ten minutes since the last full reload (one tick may have started before)
        Assert.InRange(full, 0, 1);
        Assert.Equal(after[full].AsOf - CommuneGrain.SavedSinceOverlap, after[full + 1].Since);

        var before = _loads.Count(l => l.Commune == code);
        await commune.Reconcile(); // an operator's repair reloads everything
        Assert.Contains(_loads.Where(l => l.Commune == code).Skip(before), l => l.Since is null);
    }

    private async Task<List<(string Commune, DateTimeOffset? Since, DateTimeOffset AsOf)>> LoadsAsync(string commune, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_loads.Count(l => l.Commune == commune) < count && DateTime.UtcNow < deadline) await Task.Delay(100);
        var loads = _loads.Where(l => l.Commune == commune).ToList();
        Assert.True(loads.Count >= count, $"{loads.Count} loads of {commune} in 30 s, expected {count}");
        return loads;
    }

    /// <summary>The memory store, answering with a time of its read (the fake clock's, a tick apart) and recording each.</summary>
    private sealed class RecordingStore(MemoryProjectionStore inner, FakeTimeProvider clock,
        ConcurrentQueue<(string, DateTimeOffset?, DateTimeOffset)> loads) : IProjectionStore
    {
        public async Task<CommuneContents> LoadCommuneAsync(string commune, DateTimeOffset now, DateTimeOffset? sensorsSavedSince, CancellationToken ct)
        {
            var asOf = clock.GetUtcNow().AddTicks(loads.Count);
            loads.Enqueue((commune, sensorsSavedSince, asOf));
            return await inner.LoadCommuneAsync(commune, now, sensorsSavedSince, ct) with { SensorsAsOf = asOf };
        }

        public Task<ClosedTotals> TotalsAsync(string commune, DateTimeOffset now, CancellationToken ct) => inner.TotalsAsync(commune, now, ct);
        public Task<IReadOnlyList<CaseRow>> CasesAsync(CaseQuery query, DateTimeOffset now, CancellationToken ct) => inner.CasesAsync(query, now, ct);
        public Task<IReadOnlyList<FeedbackRow>> FeedbackAsync(FeedbackQuery query, DateTimeOffset now, CancellationToken ct) => inner.FeedbackAsync(query, now, ct);
        public Task<IReadOnlyList<DailyCount>> DailyCountsAsync(EntityKind kind, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
            inner.DailyCountsAsync(kind, from, to, ct);
        public Task<string?> SensorOfKeyAsync(string deviceKeyHash, CancellationToken ct) => inner.SensorOfKeyAsync(deviceKeyHash, ct);
        public Task<IReadOnlyList<SensorRow>> SensorsAsync(SensorQuery query, CancellationToken ct) => inner.SensorsAsync(query, ct);
    }
}
