using HueGrains.Grains;
using HueGrains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace HueGrains.Tests.Cluster;

/// <summary>A silo whose idle activations are collected after 3 s (Hue:Grains:CollectionAge), to watch grains come and go.</summary>
public sealed class ShortLivedGrainsFixture : IAsyncLifetime
{
    public static readonly TimeSpan CollectionAge = TimeSpan.FromSeconds(3);

    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>Readings the sensors read back from the journal (on activation).</summary>
    public static int ReadingsReplayed => s_replayed;

    private static int s_replayed;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<IReadingJournal>(sp => new CountingJournal(new MemoryReadingJournal(sp.GetRequiredService<IOptions<HistoryOptions>>())));
            silo.AddHueInMemoryProviders().AddHueGrains();
            silo.Services.Configure<GrainOptions>(o => o.CollectionAge = CollectionAge);
            // More than a sensor replays (SensorGrain.MaxReplay), to see which ones it replays.
            silo.Services.Configure<HistoryOptions>(o => o.MemoryReadingsPerSensor = 2 * SensorGrain.MaxReplay);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class CountingJournal(IReadingJournal inner) : IReadingJournal
    {
        public Task<IReadOnlyList<Reading>> AppendAsync(string sensorId, SensorKind kind, IReadOnlyList<Reading> readings, CancellationToken ct) =>
            inner.AppendAsync(sensorId, kind, readings, ct);

        public async Task<IReadOnlyList<Reading>> ReadAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct)
        {
            var readings = await inner.ReadAsync(sensorId, kind, from, to, limit, ct);
            Interlocked.Add(ref s_replayed, readings.Count);
            return readings;
        }

        public async Task<IReadOnlyList<Reading>> ReadNewestAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct)
        {
            var readings = await inner.ReadNewestAsync(sensorId, kind, from, to, limit, ct);
            Interlocked.Add(ref s_replayed, readings.Count);
            return readings;
        }

        public Task<IReadOnlyList<ReadingBucket>> AggregateAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, TimeBucket bucket, CancellationToken ct) =>
            inner.AggregateAsync(sensorId, kind, from, to, bucket, ct);
    }
}

public class IdleTests(ShortLivedGrainsFixture fixture) : IClassFixture<ShortLivedGrainsFixture>
{
    private IClusterClient Client => fixture.Cluster.Client;

    private async Task<int> ActiveAsync(string grainType, IEnumerable<string> keys)
    {
        var active = await Client.GetGrain<IManagementGrain>(0).GetActiveGrains(GrainType.Create(grainType));
        var wanted = keys.ToHashSet();
        return active.Count(id => wanted.Contains(id.Key.ToString()!));
    }

    [Fact]
    public void Unregistered_reminders_of_closed_dossiers_leave_the_silo_within_a_collection_age()
    {
        // A closed dossier's reminder stays in the silo's list as a tombstone until the list is next read.
        var reminders = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IOptions<ReminderOptions>>().Value;
        Assert.True(reminders.RefreshReminderListPeriod <= ShortLivedGrainsFixture.CollectionAge, $"read every {reminders.RefreshReminderListPeriod}");
    }

    [Fact]
    public async Task Idle_dossiers_and_reports_leave_memory_while_their_commune_still_counts_them()
    {
        var code = CityMap.Communes[12].Code;
        var citizen = Keys.NewCitizenId();
        var nationalId = Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Client.GetGrain<ICitizenGrain>(citizen).Register(new CitizenProfile("Hồ Văn Nam", new DateOnly(1980, 1, 2), nationalId, "0905222333", code));
        var cases = new List<string>();
        var reports = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            cases.Add(Keys.NewCaseId());
            await Client.GetGrain<ICaseGrain>(cases[^1]).File(new CaseFiling("certified-copy", citizen, code, new Dictionary<string, string>
            {
                ["documentName"] = "Giấy khai sinh", ["copies"] = "2",
            }), new Actor(Roles.Citizen, CitizenId: citizen));
            reports.Add(Keys.NewFeedbackId());
            await Client.GetGrain<IFeedbackGrain>(reports[^1]).Submit(new FeedbackReport(FeedbackCategory.Other, "Cây đổ", code, null, null, null), citizen);
        }
        Assert.Equal(20, await ActiveAsync("case", cases) + await ActiveAsync("feedback", reports));

        // Nothing pins them: no reconcile calls them, the commune counts them from the projections.
        await Eventually.Holds(async () => await ActiveAsync("case", cases) + await ActiveAsync("feedback", reports), n => n == 0, TimeSpan.FromSeconds(20));
        var view = await Client.GetGrain<ICommuneGrain>(code).Reconcile();
        Assert.Equal((10, 10), (view.Indicators.OpenCases, view.Indicators.OpenFeedback));
        Assert.Equal(0, await ActiveAsync("case", cases));
    }

    [Fact]
    public async Task A_sensor_comes_back_from_its_saved_summary_with_its_latest_value_statistics_and_duplicates()
    {
        var code = CityMap.Communes[13].Code;
        var id = $"t-{Guid.NewGuid():N}";
        var sensor = Client.Sensor(id);
        await sensor.Provision(new SensorSpec(SensorKind.WaterLevel, "m", code, 16.47, 107.6));
        var now = DateTimeOffset.UtcNow;
        var readings = new[] { new Reading(now.AddSeconds(-30), 1.2), new Reading(now.AddSeconds(-20), 1.4), new Reading(now.AddSeconds(-10), 1.9) };
        await sensor.Ingest(readings, null);
        var before = (await sensor.Get())!;

        await Eventually.Holds(() => ActiveAsync("sensor", [Keys.SensorKey(id)]), n => n == 0, TimeSpan.FromSeconds(20));
        var replayed = ShortLivedGrainsFixture.ReadingsReplayed;
        var after = (await sensor.Get())!;
        Assert.Equal(replayed, ShortLivedGrainsFixture.ReadingsReplayed); // its summary was saved on deactivation: no history read back
        Assert.Equal(before.Latest, after.Latest);
        Assert.Equal(before.Statistics.LastHour.Count, after.Statistics.LastHour.Count);
        Assert.Equal(before.Statistics.LastHour.Max, after.Statistics.LastHour.Max);
        Assert.Equal(ReadingStatus.Duplicate, (await sensor.Ingest([readings[1]], null)).Results.Single().Status);
    }

    [Fact]
    public async Task A_sensor_with_more_unsummarised_readings_than_it_replays_replays_the_newest()
    {
        var code = CityMap.Communes[14].Code;
        var id = $"t-{Guid.NewGuid():N}";
        var sensor = Client.Sensor(id);
        await sensor.Provision(new SensorSpec(SensorKind.WaterLevel, "m", code, 16.47, 107.6));
        await sensor.Ingest([new Reading(DateTimeOffset.UtcNow.AddMinutes(-5), 0.5)], null);
        await fixture.Cluster.DeactivateAsync(sensor); // the summary is saved now
        await Eventually.Holds(() => ActiveAsync("sensor", [Keys.SensorKey(id)]), n => n == 0, TimeSpan.FromSeconds(20));
        await Task.Delay(200);

        // Acknowledged after the summary (as if the silo died before the next one): more than one activation replays.
        var count = SensorGrain.MaxReplay + 500;
        var now = DateTimeOffset.UtcNow;
        var readings = Enumerable.Range(0, count).Select(i => new Reading(now.AddTicks((i - count) * 50L), 1 + i / 100_000.0)).ToList();
        var journal = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReadingJournal>();
        await journal.AppendAsync(id, SensorKind.WaterLevel, readings, CancellationToken.None);

        var view = (await sensor.Get())!;
        Assert.Equal(readings[^1], view.Latest);
        Assert.Equal(readings[^1].Value, view.Statistics.LastHour.Max);
        Assert.Equal(1 + SensorGrain.MaxReplay, view.Statistics.LastHour.Count); // the saved one and the newest replayed
        Assert.Equal(ReadingStatus.Duplicate, (await sensor.Ingest([readings[^1]], null)).Results.Single().Status);
    }
}
