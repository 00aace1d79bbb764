using HueGrains.Persistence;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HueGrains.IntegrationTests;

/// <summary>The reading history on PostgreSQL: retention by partition, backpressure, duplicates.</summary>
[Collection(PostgresCollection.Name)]
public class HistoryTests(PostgresServer postgres)
{
    private static readonly IOptions<HistoryOptions> Defaults = Options.Create(new HistoryOptions
    {
        RetentionDaysByKind = { ["water-level"] = 400, ["rainfall"] = 30 },
    });

    [Fact]
    public async Task Retention_drops_whole_monthly_partitions_per_kind_and_keeps_the_rest()
    {
        var db = await postgres.CreateDatabaseAsync();
        await HueDatabase.MigrateAsync(db, NullLogger.Instance, CancellationToken.None);
        await using var source = NpgsqlDataSource.Create(db);
        var now = DateTimeOffset.UtcNow;
        using var journal = new PostgresReadingJournal(source, Defaults, NullLogger<PostgresReadingJournal>.Instance);
        await journal.StartAsync(CancellationToken.None);
        var old = now.AddDays(-90);
        await journal.AppendAsync("rain-1", SensorKind.Rainfall, [new Reading(old, 12), new Reading(now, 3)], CancellationToken.None);
        await journal.AppendAsync("gauge-1", SensorKind.WaterLevel, [new Reading(old, 1.2), new Reading(now, 1.4)], CancellationToken.None);

        var gate = new DatabaseGate(Options.Create(new PostgresOptions { ConnectionString = db }), NullLogger<DatabaseGate>.Instance);
        var indicators = new PostgresIndicatorStore(source);
        var ancient = now.AddDays(-500); // beyond the 400 days indicator snapshots are kept
        await indicators.AppendAsync([Sample("19774", ancient, 1), Sample("19774", now.AddMinutes(-2), 2), Sample("19774", now.AddMinutes(-1), 3),
            Sample(Keys.City, now.AddMinutes(-1), 4)], CancellationToken.None);
        var retention = new ReadingRetention(source, gate, Defaults, TimeProvider.System, indicators, NullLogger<ReadingRetention>.Instance);
        var dropped = await retention.RunOnceAsync(CancellationToken.None);
        var kept = await indicators.ReadAsync("19774", now.AddYears(-2), now, CancellationToken.None);
        Assert.Equal([2, 3], kept.Select(k => k.Indicators.OpenCases).ToArray());
        Assert.Equal(SensorKind.WaterLevel, kept[0].Sensors.Single().Kind); // the sample comes back whole from jsonb
        var daily = await indicators.DailyAsync(now.AddDays(-2), now.AddDays(1), CancellationToken.None);
        Assert.Contains(daily, d => d.Scope == "19774" && d.Indicators.OpenCases == 3);
        Assert.Contains(daily, d => d.Scope == Keys.City && d.Indicators.OpenCases == 4);
        var hourly = await indicators.HourlyAsync(now.AddDays(-1), now.AddMinutes(1), CancellationToken.None);
        Assert.Equal(IndicatorAggregation.Hourly(await indicators.ReadAsync(null, now.AddDays(-1), now.AddMinutes(1), CancellationToken.None)), hourly);
        Assert.Contains(hourly, h => h.Scope == "19774" && h.Kind == SensorKind.WaterLevel && h.Sensors == 1 && h.Mean == 1.2 && h.Max == 1.2);

        Assert.Equal([$"hue_readings_k3_{old.UtcDateTime:yyyyMM}"], dropped); // rain older than 30 days: its month goes
        Assert.Equal(["3"], await ProviderTests.ScalarsAsync(db, "SELECT count(*) FROM hue_readings"));
        Assert.Single(await journal.ReadAsync("rain-1", SensorKind.Rainfall, now.AddYears(-1), now.AddMinutes(1), 10, CancellationToken.None));
        Assert.Equal(2, (await journal.ReadAsync("gauge-1", SensorKind.WaterLevel, now.AddYears(-1), now.AddMinutes(1), 10, CancellationToken.None)).Count);
        Assert.Empty(await retention.RunOnceAsync(CancellationToken.None)); // idempotent
        await journal.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Duplicates_by_sensor_and_time_are_ignored_and_day_buckets_start_at_Hue_midnight()
    {
        var db = await postgres.CreateDatabaseAsync();
        await HueDatabase.MigrateAsync(db, NullLogger.Instance, CancellationToken.None);
        await using var source = NpgsqlDataSource.Create(db);
        using var journal = new PostgresReadingJournal(source, Defaults, NullLogger<PostgresReadingJournal>.Instance);
        await journal.StartAsync(CancellationToken.None);
        var vn = TimeSpan.FromHours(7);
        Reading At(int day, int hour, double value) => new(new DateTimeOffset(2026, 11, day, hour, 0, 0, vn), value);
        await journal.AppendAsync("g", SensorKind.WaterLevel, [At(20, 23, 1), At(21, 0, 2), At(21, 6, 4)], CancellationToken.None);
        await journal.AppendAsync("g", SensorKind.WaterLevel, [At(21, 0, 2), At(21, 6, 4)], CancellationToken.None); // resent

        var days = await journal.AggregateAsync("g", SensorKind.WaterLevel, At(19, 0, 0).At, At(23, 0, 0).At, TimeBucket.Day, CancellationToken.None);
        Assert.Equal([At(20, 0, 0).At, At(21, 0, 0).At], days.Select(d => d.Start));
        Assert.Equal([1L, 2L], days.Select(d => d.Count));
        Assert.Equal(3, days[1].Mean);
        Assert.Equal(days.Select(d => d.Start), days.Select(d => TimeBucket.Day.StartOf(d.Start)));
        await journal.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_full_journal_refuses_with_unavailable_instead_of_queueing_without_bound()
    {
        await using var source = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        var small = Options.Create(new HistoryOptions { QueueCapacity = 1000 });
        using var journal = new PostgresReadingJournal(source, small, NullLogger<PostgresReadingJournal>.Instance); // writer not started
        var batch = Enumerable.Range(0, 600).Select(i => new Reading(DateTimeOffset.UtcNow.AddSeconds(-i), i)).ToList();
        var first = journal.AppendAsync("s", SensorKind.WaterLevel, batch, CancellationToken.None);
        var refused = Assert.Throws<HueUnavailableException>(() => { _ = journal.AppendAsync("s", SensorKind.WaterLevel, batch, CancellationToken.None); });
        Assert.True(refused.RetryAfterSeconds > 0);
        Assert.False(first.IsCompleted); // acknowledged only once committed
    }

    private static IndicatorSample Sample(string scope, DateTimeOffset at, int openCases) =>
        new(scope, at, Indicators.Empty with { OpenCases = openCases }, [new KindIndicators(SensorKind.WaterLevel, "m", 1, 1, 1.2, 1.2, 0)]);
}
