using System.Collections.Concurrent;
using HueGrains.Grains;
using HueGrains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace HueGrains.Tests.Cluster;

/// <summary>
/// A commune's periodic reconcile reads every sensor only now and then: between full reloads it asks for the sensors
/// saved since its last read (the cursor that read answered with), so its cost follows what changed, not how many
/// sensors it has.
/// </summary>
public sealed class ReconcileTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly ConcurrentQueue<(string Commune, long? Since, long Cursor)> _loads = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(HueTime.Key, _clock);
            silo.AddHueInMemoryProviders().AddHueGrains();
            silo.Services.Configure<CommuneOptions>(o => (o.ReconcileSeconds, o.FullReconcileMinutes) = (1, 10));
            silo.Services.AddSingleton<IProjectionStore>(sp => new RecordingStore(sp.GetRequiredService<MemoryProjectionStore>(), _loads));
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Between_full_reloads_a_reconcile_reads_the_sensors_saved_since_the_last_read()
    {
        var code = CityMap.Communes[5].Code;
        var commune = _cluster.Client.GetGrain<ICommuneGrain>(code);
        await commune.Get();
        var loads = await LoadsAsync(code, 3);
        Assert.Null(loads[0].Since); // activation: everything
        Assert.Equal(loads[0].Cursor, loads[1].Since);
        Assert.Equal(loads[1].Cursor, loads[2].Since);

        var seen = _loads.Count(l => l.Commune == code);
        _clock.Advance(TimeSpan.FromMinutes(10));
        var after = (await LoadsAsync(code, seen + 3)).Skip(seen).ToList();
        var full = after.FindIndex(l => l.Since is null); // ten minutes since the last full reload (one tick may have started before)
        Assert.InRange(full, 0, 1);
        Assert.Equal(after[full].Cursor, after[full + 1].Since);

        var before = _loads.Count(l => l.Commune == code);
        await commune.Reconcile(); // an operator's repair reloads everything
        Assert.Contains(_loads.Where(l => l.Commune == code).Skip(before), l => l.Since is null);
    }

    [Fact]
    public async Task A_sensor_saves_the_version_it_publishes_so_a_reconcile_can_repair_a_lost_event()
    {
        var code = CityMap.Communes[6].Code;
        var id = $"t-{Guid.NewGuid():N}";
        var sensor = _cluster.Client.Sensor(id);
        var spec = new SensorSpec(SensorKind.WaterLevel, "m", code, 16.46, 107.59);
        var store = _cluster.Silos[0].ServiceProvider.GetRequiredService<MemoryProjectionStore>();
        async Task<(long Saved, long Published)> VersionsAsync() =>
            ((await store.LoadCommuneAsync(code, _clock.GetUtcNow(), null, CancellationToken.None)).Sensors.Single(s => s.EntityId == id).Version,
             (await sensor.GetSnapshot())!.Version);

        await sensor.Provision(spec);
        var (saved, published) = await VersionsAsync();
        Assert.Equal(published, saved);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await sensor.Provision(spec with { Label = "Cầu Trường Tiền" });
        var (savedAgain, publishedAgain) = await VersionsAsync();
        Assert.True(savedAgain > saved);
        Assert.Equal(publishedAgain, savedAgain);
    }

    private async Task<List<(string Commune, long? Since, long Cursor)>> LoadsAsync(string commune, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_loads.Count(l => l.Commune == commune) < count && DateTime.UtcNow < deadline) await Task.Delay(100);
        var loads = _loads.Where(l => l.Commune == commune).ToList();
        Assert.True(loads.Count >= count, $"{loads.Count} loads of {commune} in 30 s, expected {count}");
        return loads;
    }

    /// <summary>The memory store (which has no cursor: the grain would always reload everything), answering with a cursor and recording each read.</summary>
    private sealed class RecordingStore(MemoryProjectionStore inner, ConcurrentQueue<(string, long?, long)> loads) : IProjectionStore
    {
        private long _cursor;

        public async Task<CommuneContents> LoadCommuneAsync(string commune, DateTimeOffset now, long? sensorsSince, CancellationToken ct)
        {
            var contents = await inner.LoadCommuneAsync(commune, now, sensorsSince, ct);
            Assert.Null(contents.SensorsCursor);
            var cursor = Interlocked.Increment(ref _cursor);
            loads.Enqueue((commune, sensorsSince, cursor));
            return contents with { SensorsCursor = cursor };
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
