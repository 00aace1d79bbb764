using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HueGrains.Testing;
using HueGrains.Tests.Http;
using Xunit.Abstractions;

namespace HueGrains.IntegrationTests;

/// <summary>The live feed rides on the durable change feed: Last-Event-ID is a feed position, valid on any node and after a restart.</summary>
[Collection(PostgresCollection.Name)]
public class LiveResumeTests(PostgresServer postgres, ITestOutputHelper output)
{
    private const string Types = "alert,commune,city";

    [Fact]
    public async Task A_client_that_read_100_events_resumes_exactly_after_them_on_another_API_node_after_a_restart()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (db, cluster) = (await postgres.CreateDatabaseAsync(), $"l{Guid.NewGuid():N}");
        var silo = await Processes.StartAsync("silo", db, cluster);
        var api = await Processes.StartAsync("api", db, cluster);
        var gauges = await ProvisionAsync(Processes.Client(api, Roles.Operator), 8);

        // Gauges swinging between dry and BĐ3: each swing an alert raised or cleared, and commune and city indicators.
        string lastId;
        try
        {
            using var swinging = new CancellationTokenSource();
            var load = SwingAsync(api, gauges, int.MaxValue, swinging.Token);
            using var live = await SseClient.ConnectAsync(Processes.Client(api), "/api/v1/live");
            Assert.Equal("snapshot", (await live.NextAsync()).Type);
            var read = new List<SseEvent>();
            while (read.Count < 100) read.Add(await live.NextAsync(TimeSpan.FromSeconds(20)));
            Assert.DoesNotContain(read, e => e.Type == "snapshot");
            Assert.Equal(read.Select(e => Position(e.Id)).Order(), read.Select(e => Position(e.Id)));
            lastId = read[^1].Id!;
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: 100 events read");
            await swinging.CancelAsync();
            await load;
        }
        catch
        {
            await api.DisposeAsync();
            await silo.DisposeAsync();
            throw;
        }

        // The platform restarts (the silo gracefully, the API node killed) and comes back with a new API node; more changes meanwhile.
        silo.Terminate();
        await silo.WaitForExitAsync(CancellationToken.None);
        await silo.DisposeAsync();
        await api.DisposeAsync();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: stopped");
        var starting = Processes.StartAsync("silo", db, cluster);
        await using var other = await Processes.StartAsync("api", db, cluster); // ready once it reaches the new silo
        await using var restarted = await starting;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: restarted");
        await SwingAsync(other, gauges, 3, CancellationToken.None);

        // What the client missed, as the change feed lists it once the platform is quiet.
        var anonymous = Processes.Client(other);
        var missed = await QuietChangesAfterAsync(anonymous, lastId);
        output.WriteLine($"resuming after {lastId}: {missed.Count} changes missed");
        Assert.Contains(missed, c => c.Type == "alert");

        using var resumed = await SseClient.ConnectAsync(anonymous, "/api/v1/live", lastId);
        var received = await resumed.UntilAsync(e => e.Id == missed[^1].Cursor, TimeSpan.FromSeconds(20));
        Assert.DoesNotContain(received, e => e.Type == "snapshot");
        Assert.Equal(missed.Select(c => c.Cursor), received.Select(e => e.Id!));
        Assert.Equal(missed.Select(c => c.Type == "alert" ? "alert" : "indicators"), received.Select(e => e.Type));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: resumed");
    }

    private static long Position(string? id) => long.Parse(id!, System.Globalization.CultureInfo.InvariantCulture);

    private sealed record Change(string Cursor, string Type);

    private static async Task<List<Change>> QuietChangesAfterAsync(HttpClient client, string after)
    {
        List<Change> Read(JsonElement page) => [.. page.GetProperty("items").EnumerateArray()
            .Select(i => new Change(i.GetProperty("cursor").GetString()!, i.GetProperty("type").GetString()!))];
        var previous = new List<Change>();
        for (var quiet = 0; quiet < 3;)
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5)); // indicators follow an alert within 2 s
            var page = await client.GetFromJsonAsync<JsonElement>($"/api/v1/changes?after={after}&types={Types}&limit=1000");
            var changes = Read(page);
            quiet = changes.Count == previous.Count ? quiet + 1 : 0;
            previous = changes;
        }
        return previous;
    }

    private static async Task<List<(string Id, string Key)>> ProvisionAsync(HttpClient admin, int count)
    {
        var gauges = new List<(string, string)>();
        for (var i = 0; i < count; i++)
        {
            var id = $"lv-{Guid.NewGuid():N}";
            var put = await admin.PutAsJsonAsync($"/api/v1/sensors/{id}", new
            {
                kind = "water-level", unit = "m", commune = CityMap.Communes[i % 4].Code, latitude = 16.46, longitude = 107.59, thresholds = new[] { 1.0, 2.0, 3.0 },
            });
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            gauges.Add((id, (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deviceKey").GetString()!));
        }
        return gauges;
    }

    private static async Task SwingAsync(SiloProcess api, List<(string Id, string Key)> gauges, int rounds, CancellationToken ct)
    {
        var devices = gauges.Select(g =>
        {
            var device = Processes.Client(api);
            device.DefaultRequestHeaders.Add("X-Device-Key", g.Key);
            return (g.Id, Device: device);
        }).ToList();
        try
        {
            for (var round = 0; round < rounds && !ct.IsCancellationRequested; round++)
            {
                foreach (var (id, device) in devices)
                {
                    var value = round % 2 == 0 ? 3.9 : 0.1;
                    var posted = await device.PostAsJsonAsync($"/api/v1/sensors/{id}/readings", new { at = DateTimeOffset.UtcNow, value }, CancellationToken.None);
                    Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
                }
                await Task.Delay(100, CancellationToken.None);
            }
        }
        finally
        {
            foreach (var (_, device) in devices) device.Dispose();
        }
    }
}
