using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using HueGrains.Testing;
using Xunit.Abstractions;

namespace HueGrains.IntegrationTests;

/// <summary>Separate silo and API processes on one PostgreSQL: membership, failure, and nothing acknowledged lost.</summary>
[Collection(PostgresCollection.Name)]
public class ClusterTests(PostgresServer postgres, ITestOutputHelper output)
{
    private static HttpClient Operator(SiloProcess api) => Processes.Client(api, Roles.Operator);

    private static async Task<Dictionary<int, int>> MembershipAsync(string db, string clusterId) =>
        (await ProviderTests.ScalarsAsync(db, $"SELECT port || ':' || status FROM hue_membership WHERE deployment_id = '{clusterId}'"))
            .Select(s => s.Split(':')).GroupBy(p => int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => g.Max(p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)));

    private static Task<SiloProcess> StartAsync(string role, string db, string cluster) => Processes.StartAsync(role, db, cluster);

    [Fact]
    public async Task Two_silos_see_each_other_and_a_killed_one_is_declared_dead()
    {
        var (db, cluster) = (await postgres.CreateDatabaseAsync(), $"c{Guid.NewGuid():N}");
        await using var a = await StartAsync("silo", db, cluster);
        await using var b = await StartAsync("silo", db, cluster);

        var members = await MembershipAsync(db, cluster); // ready means active: /health/ready waits for it
        Assert.Equal(3, members[a.SiloPort]); // Active
        Assert.Equal(3, members[b.SiloPort]);

        var killedAt = Stopwatch.StartNew();
        a.Kill();
        while (killedAt.Elapsed < TimeSpan.FromSeconds(60) && (await MembershipAsync(db, cluster))[a.SiloPort] != 6) await Task.Delay(250);
        output.WriteLine($"killed silo declared dead after {killedAt.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(6, (await MembershipAsync(db, cluster))[a.SiloPort]); // Dead
        Assert.Equal(3, (await MembershipAsync(db, cluster))[b.SiloPort]);
        Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Killing_a_silo_under_ingest_loses_no_acknowledged_reading()
    {
        var (db, cluster) = (await postgres.CreateDatabaseAsync(), $"c{Guid.NewGuid():N}");
        await using var a = await StartAsync("silo", db, cluster);
        await using var b = await StartAsync("silo", db, cluster);
        await using var api = await StartAsync("api", db, cluster);

        var admin = Operator(api);
        var sensors = Enumerable.Range(0, 64).Select(i => $"k-{i:D3}").ToList();
        foreach (var (sensor, i) in sensors.Select((s, i) => (s, i)))
        {
            var commune = CityMap.Communes[i % CityMap.Communes.Count].Code;
            var put = await admin.PutAsJsonAsync($"/api/v1/sensors/{sensor}", new { kind = "water-level", unit = "m", commune, latitude = 16.46, longitude = 107.59 });
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        var load = new IngestLoad(() => Operator(api), sensors, workers: 8);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(4));
        var killedAt = load.Elapsed;
        a.Kill();
        await Task.Delay(TimeSpan.FromSeconds(12));
        stop.Cancel();
        await running;

        var stored = (await ProviderTests.ScalarsAsync(db, "SELECT sensor_id || '|' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') FROM hue_readings")).ToHashSet();
        var missing = load.Acked.Where(x => !stored.Contains($"{x.Sensor}|{x.At.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff}")).ToList();
        var statuses = string.Join(", ", load.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        output.WriteLine($"acked {load.Acked.Count}, stored {stored.Count}, missing {missing.Count}; answers {statuses}");
        output.WriteLine($"killed at {killedAt:F1} s; longest gap without acks {load.LongestGap():F2} s; acks/s before {load.AckedBetween(0, killedAt) / killedAt:F0}, "
            + $"in the 12 s after {load.AckedBetween(killedAt, killedAt + 12) / 12:F0}; back to 95% of the rate {load.SecondsToRecover(killedAt, 0.95):F1} s after the kill");

        Assert.Empty(missing);
        Assert.True(load.AckedBetween(killedAt + 8, killedAt + 12) > 100, "ingest did not resume after the kill");
        Assert.False(load.Statuses.ContainsKey(500), $"a 500 was answered: {statuses}");
        Assert.False(load.Statuses.ContainsKey(-1), $"a request hung: {statuses}");
    }

    [Fact]
    public async Task PostgreSQL_down_at_start_is_logged_retried_and_not_ready()
    {
        var nowhere = $"Host=127.0.0.1;Port={LoopbackPorts.Free()};Database=hue;Username=hue;Timeout=2";
        await using var silo = SiloProcess.Start("all", nowhere, $"c{Guid.NewGuid():N}", DurablePlatform.SigningKey);
        var deadline = DateTime.UtcNow.AddSeconds(45);
        HttpStatusCode? live = null, ready = null;
        while (DateTime.UtcNow < deadline && !(live == HttpStatusCode.OK && ready == HttpStatusCode.ServiceUnavailable && silo.Output.Contains("is unreachable (attempt 2)", StringComparison.Ordinal)))
        {
            try
            {
                live = (await silo.Http.GetAsync("/health/live")).StatusCode;
                ready = (await silo.Http.GetAsync("/health/ready")).StatusCode;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(250);
        }
        output.WriteLine(string.Join('\n', silo.Output.Split('\n').Where(l => l.Contains("unreachable", StringComparison.Ordinal))));
        Assert.Equal(HttpStatusCode.OK, live);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        Assert.Contains("is unreachable (attempt 2)", silo.Output, StringComparison.Ordinal);
    }
}
