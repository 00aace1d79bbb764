using System.Diagnostics.Metrics;
using System.Net;
using HueGrains.Persistence;
using HueGrains.Silo;
using HueGrains.Tests;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HueGrains.IntegrationTests;

/// <summary>The reading history on PostgreSQL: retention by partition, backpressure, duplicates, a supervised writer.</summary>
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
        using var journal = new PostgresReadingJournal(source, Defaults, NewMetrics(), NullLogger<PostgresReadingJournal>.Instance);
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
        using var journal = new PostgresReadingJournal(source, Defaults, NewMetrics(), NullLogger<PostgresReadingJournal>.Instance);
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
        using var journal = new PostgresReadingJournal(source, small, NewMetrics(), NullLogger<PostgresReadingJournal>.Instance); // writer not started
        var batch = Enumerable.Range(0, 600).Select(i => new Reading(DateTimeOffset.UtcNow.AddSeconds(-i), i)).ToList();
        var first = journal.AppendAsync("s", SensorKind.WaterLevel, batch, CancellationToken.None);
        var refused = Assert.Throws<HueUnavailableException>(() => { _ = journal.AppendAsync("s", SensorKind.WaterLevel, batch, CancellationToken.None); });
        Assert.True(refused.RetryAfterSeconds > 0);
        Assert.False(first.IsCompleted); // acknowledged only once committed
    }

    [Fact]
    public async Task Each_append_of_a_group_commit_gets_back_only_the_readings_it_stored()
    {
        var db = await postgres.CreateDatabaseAsync();
        await HueDatabase.MigrateAsync(db, NullLogger.Instance, CancellationToken.None);
        await using var source = NpgsqlDataSource.Create(db);
        var t = new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.FromHours(7));
        Reading At(int minute, double value) => new(t.AddMinutes(minute), value);
        using (var first = new PostgresReadingJournal(source, Defaults, NewMetrics(), NullLogger<PostgresReadingJournal>.Instance))
        {
            await first.StartAsync(CancellationToken.None);
            Assert.Equal([At(0, 1)], await first.AppendAsync("a", SensorKind.WaterLevel, [At(0, 1)], CancellationToken.None));
            await first.StopAsync(CancellationToken.None);
        }

        // Queued before the writer starts, these five appends of two sensors go into one commit.
        using var journal = new PostgresReadingJournal(source, Defaults, NewMetrics(), NullLogger<PostgresReadingJournal>.Instance);
        var a1 = journal.AppendAsync("a", SensorKind.WaterLevel, [At(0, 1), At(1, 2)], CancellationToken.None);    // 0 held already
        var b1 = journal.AppendAsync("b", SensorKind.WaterLevel, [At(0, 5), At(1, 6)], CancellationToken.None);    // another sensor
        var a2 = journal.AppendAsync("a", SensorKind.WaterLevel, [At(1, 2), At(2, 3)], CancellationToken.None);    // 1 resent while waiting
        var b2 = journal.AppendAsync("b", SensorKind.Rainfall, [At(0, 7)], CancellationToken.None);                // same id, other kind
        var a3 = journal.AppendAsync("a", SensorKind.WaterLevel, [At(3, 4), At(3, 4.5)], CancellationToken.None);  // twice in one append
        await journal.StartAsync(CancellationToken.None);

        Assert.Equal([At(1, 2)], await a1);
        Assert.Equal([At(0, 5), At(1, 6)], await b1);
        Assert.Equal([At(2, 3)], await a2);
        Assert.Equal([At(0, 7)], await b2);
        Assert.Equal([At(3, 4)], await a3);
        Assert.Empty(await journal.AppendAsync("a", SensorKind.WaterLevel, [At(0, 9), At(2, 9)], CancellationToken.None)); // resent later

        var all = await journal.ReadAsync("a", SensorKind.WaterLevel, t.AddDays(-1), t.AddDays(1), 10, CancellationToken.None);
        Assert.Equal([At(0, 1), At(1, 2), At(2, 3), At(3, 4)], all);
        // Replay on activation: the newest since a point, oldest first; not the oldest.
        Assert.Equal([At(2, 3), At(3, 4)], await journal.ReadNewestAsync("a", SensorKind.WaterLevel, t, t.AddDays(1), 2, CancellationToken.None));
        Assert.Equal([At(1, 2)], await journal.ReadNewestAsync("a", SensorKind.WaterLevel, t.AddMinutes(1), t.AddMinutes(2), 5, CancellationToken.None));
        await journal.StopAsync(CancellationToken.None);
    }

    /// <summary>A migrated database and a started journal on it whose clock is <paramref name="time"/>.</summary>
    private async Task<(string Db, NpgsqlDataSource Source, PostgresReadingJournal Journal)> StartedJournalAsync(FakeTimeProvider time)
    {
        var db = await postgres.CreateDatabaseAsync();
        await HueDatabase.MigrateAsync(db, NullLogger.Instance, CancellationToken.None);
        var source = NpgsqlDataSource.Create(db);
        var journal = new PostgresReadingJournal(source, Defaults, NewMetrics(), NullLogger<PostgresReadingJournal>.Instance, time, null);
        await journal.StartAsync(CancellationToken.None);
        return (db, source, journal);
    }

    [Fact]
    public async Task A_small_commit_is_inserted_straight_in_until_one_holds_a_stored_reading_which_sends_commits_the_careful_way_for_a_while()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (db, source, journal) = await StartedJournalAsync(time);
        await using var _ = source;
        using var __ = journal;
        var t = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().AddHours(-1).ToUnixTimeSeconds()); // PostgreSQL keeps microseconds
        Reading At(int minute) => new(t.AddMinutes(minute), minute);
        Task<IReadOnlyList<Reading>> Append(params Reading[] readings) => journal.AppendAsync("g", SensorKind.WaterLevel, readings, CancellationToken.None);

        Assert.Equal([At(0), At(1)], await Append(At(0), At(1)));
        Assert.Equal(default, journal.CarefulUntil); // straight in: nothing was held

        Assert.Equal([At(2)], await Append(At(1), At(2))); // 1 is held: the INSERT fails whole, the careful path stores 2
        Assert.Equal(time.GetUtcNow() + PostgresReadingJournal.CarefulAfterDuplicate, journal.CarefulUntil);
        Assert.Equal([At(3)], await Append(At(3)));
        var careful = journal.CarefulUntil;
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(await Append(At(3))); // held, within the window: the careful path answers it, no straight INSERT fails
        Assert.Equal(careful, journal.CarefulUntil);

        time.Advance(PostgresReadingJournal.CarefulAfterDuplicate + TimeSpan.FromSeconds(1));
        Assert.Equal([At(4)], await Append(At(4), At(0))); // straight in is tried again, and falls back again
        Assert.Equal(time.GetUtcNow() + PostgresReadingJournal.CarefulAfterDuplicate, journal.CarefulUntil);

        Assert.Equal([At(0), At(1), At(2), At(3), At(4)],
            await journal.ReadAsync("g", SensorKind.WaterLevel, t.AddDays(-1), t.AddDays(1), 10, CancellationToken.None));
        Assert.Equal(["5"], await ProviderTests.ScalarsAsync(db, "SELECT count(*) FROM hue_readings"));
        await journal.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_commit_larger_than_a_small_one_is_copied_and_falls_back_the_same_way_when_it_holds_a_stored_reading()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (db, source, journal) = await StartedJournalAsync(time);
        await using var _ = source;
        using var __ = journal;
        var t = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().AddHours(-12).ToUnixTimeSeconds());
        const int Large = PostgresReadingJournal.SmallCommitRows + 50;
        Reading[] From(int first) => [.. Enumerable.Range(first, Large).Select(s => new Reading(t.AddSeconds(s), s))];

        Assert.Equal(From(0), await journal.AppendAsync("g", SensorKind.WaterLevel, From(0), CancellationToken.None));
        Assert.Equal(default, journal.CarefulUntil);
        var overlapping = From(Large - 1); // its first reading is held: the COPY fails whole, the careful path stores the rest
        Assert.Equal(overlapping[1..], await journal.AppendAsync("g", SensorKind.WaterLevel, overlapping, CancellationToken.None));
        Assert.Equal(time.GetUtcNow() + PostgresReadingJournal.CarefulAfterDuplicate, journal.CarefulUntil);
        Assert.Equal([$"{2 * Large - 1}"], await ProviderTests.ScalarsAsync(db, "SELECT count(*) FROM hue_readings"));
        await journal.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_writer_that_fails_unexpectedly_answers_503_is_counted_restarts_and_is_not_ready_meanwhile()
    {
        var db = await postgres.CreateDatabaseAsync();
        await HueDatabase.MigrateAsync(db, NullLogger.Instance, CancellationToken.None);
        await using var source = NpgsqlDataSource.Create(db);
        var metrics = NewMetrics();
        var restarts = new List<string?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == metrics.Meter && instrument.Name == "hue.journal.writer.restarts") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (restarts) restarts.AddRange(Enumerable.Repeat(tags.ToArray().Single(t => t.Key == "cause").Value as string, (int)value));
        });
        listener.Start();

        // The fault: not a database error the writer expects, thrown in the middle of a commit.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var committing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var faulty = false;
        void Fault()
        {
            if (!Volatile.Read(ref faulty)) return;
            Volatile.Write(ref faulty, false);
            committing.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            throw new InvalidCastException("Injected: a value the writer cannot handle.");
        }
        var options = Options.Create(new HistoryOptions { Writers = 1 });
        using var journal = new PostgresReadingJournal(source, options, metrics, NullLogger<PostgresReadingJournal>.Instance, time, Fault);
        var health = new ReadingJournalHealthCheck(journal);
        async Task<HealthStatus> Health() => (await health.CheckHealthAsync(new HealthCheckContext())).Status;
        Reading At(int second) => new(time.GetUtcNow().AddSeconds(second), second);

        Assert.Equal(HealthStatus.Unhealthy, await Health()); // not started: no writer
        await journal.StartAsync(CancellationToken.None);
        Assert.Equal(HealthStatus.Healthy, await Health());
        Assert.Single(await journal.AppendAsync("s", SensorKind.WaterLevel, [At(-3)], CancellationToken.None));

        Volatile.Write(ref faulty, true);
        var held = journal.AppendAsync("s", SensorKind.WaterLevel, [At(-2)], CancellationToken.None);
        Assert.True(committing.Wait(TimeSpan.FromSeconds(10)));
        var waiting = journal.AppendAsync("t", SensorKind.WaterLevel, [At(-1)], CancellationToken.None);
        release.Set();

        // Both the append being committed and the one waiting behind it get 503 instead of hanging.
        Assert.True((await Assert.ThrowsAsync<HueUnavailableException>(() => held.WaitAsync(TimeSpan.FromSeconds(10)))).RetryAfterSeconds > 0);
        await Assert.ThrowsAsync<HueUnavailableException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, journal.WritersRunning);
        Assert.Equal(HealthStatus.Unhealthy, await Health());
        Assert.Throws<HueUnavailableException>(() => { _ = journal.AppendAsync("s", SensorKind.WaterLevel, [At(-2)], CancellationToken.None); });
        lock (restarts) Assert.Equal(["commit"], restarts);

        await Eventually.Holds(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1)); // the pause before the restart
            return Task.FromResult(journal.WritersRunning);
        }, n => n == 1);
        Assert.Equal(HealthStatus.Healthy, await Health());
        Assert.Equal([At(-2)], await journal.AppendAsync("s", SensorKind.WaterLevel, [At(-2)], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([At(-1)], await journal.AppendAsync("t", SensorKind.WaterLevel, [At(-1)], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        await journal.StopAsync(CancellationToken.None);
        Assert.Equal(HealthStatus.Unhealthy, await Health());
        lock (restarts) Assert.Single(restarts);
    }

    [Fact]
    public async Task A_durable_silo_is_not_ready_while_its_reading_journal_has_no_writer()
    {
        await using var platform = await DurablePlatform.StartAsync(await postgres.CreateDatabaseAsync());
        using var client = platform.App.GetTestClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        var report = await platform.App.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == "reading-journal");
        Assert.Equal(HealthStatus.Healthy, report.Entries.Single().Value.Status);

        await platform.App.Services.GetRequiredService<PostgresReadingJournal>().StopAsync(CancellationToken.None);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
    }

    private static HueMetrics NewMetrics() => new(new TestMeters());

    private sealed class TestMeters : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }

    private static IndicatorSample Sample(string scope, DateTimeOffset at, int openCases) =>
        new(scope, at, Indicators.Empty with { OpenCases = openCases }, [new KindIndicators(SensorKind.WaterLevel, "m", 1, 1, 1.2, 1.2, 0)]);
}
