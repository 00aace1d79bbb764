using HueGrains.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Orleans.TestingHost;

namespace HueGrains.IntegrationTests;

/// <summary>
/// The projections answer the same in both modes: the same operations on an embedded (memory) platform and on a durable
/// one give the same work lists, pages, Open311 rows, daily counts and totals. Also: the rows are written atomically
/// with the entity's state.
/// </summary>
[Collection(PostgresCollection.Name)]
public class ProjectionParityTests(PostgresServer postgres)
{
    internal static readonly DateTimeOffset Start = new(2026, 11, 30, 1, 0, 0, TimeSpan.Zero); // Monday 08:00 in Huế
    private static readonly string[] Communes = ["19774", "19753"];

    internal static async Task<(InProcessTestCluster Cluster, FakeTimeProvider Clock)> StartAsync(string? database)
    {
        var clock = new FakeTimeProvider(Start);
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(HueTime.Key, clock);
            if (database is null) silo.AddHueInMemoryProviders();
            silo.AddHueGrains();
            if (database is not null) silo.AddHuePostgres(database);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return (cluster, clock);
    }

    /// <summary>The same dossiers and reports, moved the same way at the same (fake) times, with fixed ids.</summary>
    private static async Task PopulateAsync(IClusterClient client, FakeTimeProvider clock)
    {
        var citizen = "c-0000000000000000000000000000parity";
        await client.GetGrain<ICitizenGrain>(citizen).Register(new CitizenProfile("Trần Thị Mai", new DateOnly(1990, 5, 6), "046190005555", "0905000111", "19774"));
        await client.Sensor("parity-gauge").Provision(new SensorSpec(SensorKind.WaterLevel, "m", "19774", 16.46, 107.55));
        var applicant = new Actor(Roles.Citizen, CitizenId: citizen);
        var form = new Dictionary<string, string> { ["childFullName"] = "Bé Bi", ["childDateOfBirth"] = "2026-11-20", ["childSex"] = "nam" };
        for (var i = 0; i < 30; i++)
        {
            var commune = Communes[i % 2];
            var official = new Actor(Roles.Official, Commune: commune, Subject: "o");
            var dossier = client.GetGrain<ICaseGrain>($"hs-parity{i:D4}");
            await dossier.File(new CaseFiling("birth-registration", citizen, commune, form), applicant);
            if (i % 3 != 0) await dossier.ChangeStatus(CaseStatus.Processing, null, official);
            if (i % 3 == 1) await dossier.ChangeStatus(CaseStatus.ReadyToReturn, null, official);
            if (i % 6 == 1) await dossier.ChangeStatus(CaseStatus.Returned, null, official);
            if (i % 9 == 0) await dossier.ChangeStatus(CaseStatus.Cancelled, null, applicant);

            var report = client.GetGrain<IFeedbackGrain>($"pa-parity{i:D4}");
            await report.Submit(new FeedbackReport((FeedbackCategory)(i % 6), $"Báo cáo {i}", i % 5 == 4 ? null : commune, 16.46, 107.55, "Kim Long"),
                i % 4 == 0 ? null : citizen);
            if (i % 5 != 4 && i % 2 == 0) await report.ChangeStatus(FeedbackStatus.Resolved, "Đã xử lý", official);
            if (i % 5 != 4 && i % 4 == 2) await report.Rate(i % 5 + 1, applicant);
            clock.Advance(TimeSpan.FromHours(7));
        }
    }

    private static async Task<string> AnswersAsync(IClusterClient client)
    {
        var projections = client.Projections();
        var lines = new List<string>();
        foreach (var commune in Communes)
        {
            var firstPage = await projections.Cases(new CaseQuery(Limit: 4, Commune: commune));
            lines.Add(string.Join(",", firstPage));
            lines.Add(string.Join(",", await projections.Cases(new CaseQuery(Limit: 4, Commune: commune, After: new PageCursor(firstPage[^1].FiledAt, firstPage[^1].Id)))));
            lines.Add(string.Join(",", await projections.Cases(new CaseQuery(CaseStatus.Processing, Limit: 100, Commune: commune))));
            lines.Add(string.Join(",", await projections.Cases(new CaseQuery(Overdue: true, Limit: 100, Commune: commune))));
            lines.Add(string.Join(",", await projections.FeedbackSummaries(new FeedbackQuery(Open: false, Limit: 100, Commune: commune))));
            lines.Add(ServiceText((await client.GetGrain<ICommuneGrain>(commune).Reconcile()).Indicators));
        }
        lines.Add(string.Join(",", await projections.Feedback(new FeedbackQuery(Limit: 100, Categories: [FeedbackCategory.UrbanOrder, FeedbackCategory.Other]))));
        lines.Add(string.Join(",", await projections.FeedbackSummaries(new FeedbackQuery(Open: true, Limit: 100, Unrouted: true))));
        lines.Add(string.Join(",", await projections.Feedback(new FeedbackQuery(Limit: 100, Ids: ["pa-parity0003", "pa-parity0010", "pa-nothing"]))));
        lines.Add(string.Join(",", await projections.Cases(new CaseQuery(Limit: 3, CitizenId: "c-0000000000000000000000000000parity"))));
        lines.Add(string.Join(",", await projections.DailyCounts(EntityKind.Case, Start, Start.AddDays(30))));
        lines.Add(string.Join(",", await projections.DailyCounts(EntityKind.Feedback, Start, Start.AddDays(30))));
        // The change feed: the same dossier and report changes in the same order, with the same public snapshots.
        var changes = await projections.Changes(new ChangeQuery(0, [ChangeTypes.Case, ChangeTypes.Feedback], null, 1000, null));
        lines.AddRange(changes.Items.Select(c => $"{c.Type} {c.EntityId} {c.Version} {c.Commune} " +
            (c.Type == ChangeTypes.Case ? System.Text.Json.JsonSerializer.Deserialize<CaseRow>(c.Data)!.ToString() : System.Text.Json.JsonSerializer.Deserialize<FeedbackRow>(c.Data)!.ToString())));
        return string.Join("\n", lines);
    }

    private static string ServiceText(Indicators i) => i with { FloodAlertLevel = 0 } is var x ? x.ToString() : "";

    [Fact]
    public async Task Memory_and_PostgreSQL_projections_give_the_same_lists_pages_counts_and_totals()
    {
        var database = await postgres.CreateDatabaseAsync();
        var (memory, memoryClock) = await StartAsync(null);
        var (durable, durableClock) = await StartAsync(database);
        await using (memory)
        await using (durable)
        {
            await PopulateAsync(memory.Client, memoryClock);
            await PopulateAsync(durable.Client, durableClock);

            var expected = await AnswersAsync(memory.Client);
            Assert.Contains("hs-parity", expected, StringComparison.Ordinal);
            Assert.Contains("case hs-parity0001", expected, StringComparison.Ordinal);
            Assert.DoesNotContain("c-0000000000000000000000000000parity }", expected, StringComparison.Ordinal); // no applicant, no reporter
            Assert.Equal(expected, await AnswersAsync(durable.Client));
        }
    }

    [Fact]
    public async Task A_commune_read_of_the_sensors_saved_since_a_time_holds_only_those_written_after_it()
    {
        var database = await postgres.CreateDatabaseAsync();
        var (durable, _) = await StartAsync(database);
        await using (durable)
        {
            var spec = new SensorSpec(SensorKind.WaterLevel, "m", "19774", 16.46, 107.55);
            var sensors = Enumerable.Range(0, 3).Select(i => durable.Client.Sensor($"since-gauge-{i}")).ToList();
            foreach (var sensor in sensors) await sensor.Provision(spec);
            await using var data = NpgsqlDataSource.Create(database);
            var store = new HueGrains.Persistence.PostgresProjectionStore(data);

            var all = await store.LoadCommuneAsync("19774", Start, null, CancellationToken.None);
            Assert.Equal(3, all.Sensors.Count);
            var first = Assert.NotNull(all.SensorsCursor);
            Assert.Equal(3, (await store.LoadCommuneAsync("19774", Start, 0, CancellationToken.None)).Sensors.Count);

            // A read may repeat rows of transactions older than one still running anywhere in the server (the cluster's
            // own writes); once they end, a read since the previous one holds nothing unchanged.
            var (cursor, quiet) = (first, false);
            for (var i = 0; i < 50 && !quiet; i++)
            {
                var next = await store.LoadCommuneAsync("19774", Start, cursor, CancellationToken.None);
                (cursor, quiet) = (next.SensorsCursor!.Value, next.Sensors.Count == 0);
                if (!quiet) await Task.Delay(100);
            }
            Assert.True(quiet, "every read since the previous one repeated the unchanged sensors");

            await sensors[1].Provision(spec with { Label = "Cầu Trường Tiền" }); // a state write: its row is saved again
            var since = await store.LoadCommuneAsync("19774", Start, cursor, CancellationToken.None);
            Assert.Equal(["since-gauge-1"], since.Sensors.Select(s => s.EntityId));
            Assert.True(since.SensorsCursor > first);
        }
    }

    [Fact]
    public async Task A_projection_row_that_cannot_be_written_fails_the_state_write_leaves_neither_and_a_retry_creates_it_whole()
    {
        var database = await postgres.CreateDatabaseAsync();
        var (durable, _) = await StartAsync(database);
        await using (durable)
        {
            await using (var connection = new NpgsqlConnection(database))
            {
                await connection.OpenAsync();
                // A fault in the projection only: reports of one commune cannot be projected.
                await using var fault = new NpgsqlCommand("ALTER TABLE hue_feedback ADD CONSTRAINT no_19753 CHECK (commune IS DISTINCT FROM '19753')", connection);
                await fault.ExecuteNonQueryAsync();
            }
            var report = durable.Client.GetGrain<IFeedbackGrain>("pa-parityfault");
            var submission = new FeedbackReport(FeedbackCategory.Other, "Ổ gà", "19753", null, null, null);
            await Assert.ThrowsAnyAsync<Exception>(() => report.Submit(submission, null, "request-fingerprint"));
            Assert.Null(await report.Get()); // the failed change is not kept in memory either
            Assert.Equal(("0", "0"), await CountsAsync(database));

            // The client retries its idempotent request once the fault is gone: the report is created, whole.
            await using (var connection = new NpgsqlConnection(database))
            {
                await connection.OpenAsync();
                await using var mend = new NpgsqlCommand("ALTER TABLE hue_feedback DROP CONSTRAINT no_19753", connection);
                await mend.ExecuteNonQueryAsync();
            }
            Assert.Equal("pa-parityfault", (await report.Submit(submission, null, "request-fingerprint")).Id);
            Assert.Equal(("1", "1"), await CountsAsync(database));
        }
    }

    private static async Task<(string States, string Rows)> CountsAsync(string database) => (
        await ProviderTestsScalars(database, "SELECT count(*) FROM hue_grain_state WHERE grain_id_ext = 'pa-parityfault' AND payload IS NOT NULL"),
        await ProviderTestsScalars(database, "SELECT count(*) FROM hue_feedback WHERE id = 'pa-parityfault'"));

    private static async Task<string> ProviderTestsScalars(string database, string sql) =>
        (await ProviderTests.ScalarsAsync(database, sql)).Single();
}
