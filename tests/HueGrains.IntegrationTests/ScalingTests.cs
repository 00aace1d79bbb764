using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using HueGrains.Testing;
using Xunit.Abstractions;

namespace HueGrains.IntegrationTests;

/// <summary>Operators scale out and in under load: a new silo takes activations, SIGTERM drains one, no request fails.</summary>
[Collection(PostgresCollection.Name)]
public partial class ScalingTests(PostgresServer postgres, ITestOutputHelper output)
{
    private static HttpClient Client(SiloProcess api, string? role = null) => Processes.Client(api, role);

    private static Task<SiloProcess> StartAsync(string role, string db, string cluster) => Processes.StartAsync(role, db, cluster);

    private static async Task ProvisionAsync(HttpClient admin, IEnumerable<string> sensors)
    {
        foreach (var (sensor, i) in sensors.Select((s, i) => (s, i)))
        {
            var put = await admin.PutAsJsonAsync($"/api/v1/sensors/{sensor}",
                new { kind = "water-level", unit = "m", commune = CityMap.Communes[i % CityMap.Communes.Count].Code, latitude = 16.46, longitude = 107.59 });
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }
    }

    [GeneratedRegex(@"^orleans_catalog_activations(\{[^}]*\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Activations();

    private static async Task<double> ActivationsOnAsync(SiloProcess silo) =>
        Activations().Matches(await silo.MetricsAsync()).Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_new_silo_takes_activations_and_SIGTERM_drains_a_silo_with_no_failed_request()
    {
        var (db, cluster) = (await postgres.CreateDatabaseAsync(), $"s{Guid.NewGuid():N}");
        await using var a = await StartAsync("silo", db, cluster);
        await using var b = await StartAsync("silo", db, cluster);
        await using var api = await StartAsync("api", db, cluster);
        var admin = Client(api, Roles.Operator);
        var first = Enumerable.Range(0, 48).Select(i => $"sc-{i:D3}").ToList();
        await ProvisionAsync(admin, first);

        using var stop = new CancellationTokenSource();
        var ingest = new IngestLoad(() => Client(api, Roles.Operator), first, workers: 6);
        var queries = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentBag<string>();
        async Task QueryAsync()
        {
            var reader = Client(api);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var path = n % 3 == 0 ? "/api/v1/city" : $"/api/v1/sensors/{first[n % first.Count]}";
                int status;
                try
                {
                    using var response = await reader.GetAsync(path, CancellationToken.None);
                    status = (int)response.StatusCode;
                    if (status != 200) failures.Add($"{path} → {status}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                }
                catch (HttpRequestException)
                {
                    status = 0;
                }
                catch (TaskCanceledException)
                {
                    status = -1;
                }
                queries.AddOrUpdate(status, 1, (_, c) => c + 1);
            }
        }
        var running = Task.WhenAll(ingest.RunAsync(stop.Token), QueryAsync(), QueryAsync());
        await Task.Delay(TimeSpan.FromSeconds(4));

        // Scale out: a third silo joins; grains activated from now on are placed across all three.
        await using var c = await StartAsync("silo", db, cluster);
        var second = Enumerable.Range(0, 48).Select(i => $"sn-{i:D3}").ToList();
        await ProvisionAsync(admin, second);
        var ingestNew = new IngestLoad(() => Client(api, Roles.Operator), second, workers: 4);
        var runningNew = ingestNew.RunAsync(stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(4));
        var onNewSilo = await ActivationsOnAsync(c);
        output.WriteLine($"activations on the new silo: {onNewSilo}");
        Assert.True(onNewSilo >= 5, $"the new silo holds {onNewSilo} activations");

        // Scale in: SIGTERM to a silo under load.
        var terminatedAt = ingest.Elapsed;
        a.Terminate();
        using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60))) await a.WaitForExitAsync(exit.Token);
        output.WriteLine($"the terminated silo exited after {ingest.Elapsed - terminatedAt:F1} s");
        await Task.Delay(TimeSpan.FromSeconds(6));
        stop.Cancel();
        await Task.WhenAll(running, runningNew);

        var answers = string.Join(", ", ingest.Statuses.Concat(ingestNew.Statuses).GroupBy(p => p.Key).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Sum(p => p.Value)}"));
        var queryAnswers = string.Join(", ", queries.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"));
        output.WriteLine($"ingest answers {answers}; query answers {queryAnswers}");
        foreach (var failure in failures.Take(10)) output.WriteLine(failure);
        Assert.True(ingest.Statuses.Keys.All(s => s == 202) && ingestNew.Statuses.Keys.All(s => s == 202), $"a reading failed: {answers}");
        Assert.True(queries.Keys.All(s => s == 200), $"a query failed: {queryAnswers}");
        Assert.True(ingest.AckedBetween(terminatedAt + 2, ingest.Elapsed) > 100, "ingest did not continue after the scale-in");

        var stored = (await ProviderTests.ScalarsAsync(db, "SELECT sensor_id || '|' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') FROM hue_readings")).ToHashSet();
        Assert.DoesNotContain(ingest.Acked.Concat(ingestNew.Acked), x => !stored.Contains($"{x.Sensor}|{x.At.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff}"));
    }
}
