using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HueGrains.Testing;
using HueGrains.Tests.Http;
using Xunit.Abstractions;

namespace HueGrains.IntegrationTests;

/// <summary>
/// A subscription whose silo is killed mid-delivery: the other silo takes it over from its durable cursor, and every change
/// committed before and after the kill reaches the receiver (at least once, in order per entity).
/// </summary>
[Collection(PostgresCollection.Name)]
public class SubscriptionFailoverTests(PostgresServer postgres, ITestOutputHelper output)
{
    private const string Secret = "a-failover-secret-of-enough-length";
    private static readonly TimeSpan DeliveryBudget = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ResumeBudget = TimeSpan.FromSeconds(30);

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Hue__Subscriptions__AllowedHosts"] = "127.0.0.1",
        ["Hue__Subscriptions__PollMilliseconds"] = "200",
        ["Hue__Subscriptions__TimeoutSeconds"] = "5",
        ["Hue__Subscriptions__BackoffBaseMilliseconds"] = "200",
        ["Hue__Subscriptions__BackoffMaxSeconds"] = "2",
    };

    private sealed record Change(string Id, long Version, DateTimeOffset At);

    [Fact]
    public async Task Killing_the_silo_that_holds_a_subscription_loses_no_change_committed_before_or_after_the_kill()
    {
        var clock = Stopwatch.StartNew();
        var (db, cluster) = (await postgres.CreateDatabaseAsync(), $"s{Guid.NewGuid():N}");
        await using var a = await Processes.StartAsync("silo", db, cluster, Settings);
        await using var b = await Processes.StartAsync("silo", db, cluster, Settings);
        await using var api = await Processes.StartAsync("api", db, cluster, Settings);
        var op = Processes.Client(api, Roles.Operator);
        using var receiver = new WebhookReceiver();

        var created = await op.PostAsJsonAsync("/api/v1/subscriptions", new { url = receiver.Url, types = new[] { "alert", "case" }, secret = Secret });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var subscription = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var flow = new SteadyFlow(api, await ProvisionAsync(op, 4), await RegisterAsync(Processes.Client(api), 4));
        using var stop = new CancellationTokenSource();
        var flowing = flow.RunAsync(stop.Token);
        while (Delivered(receiver).Count < 20 && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(200);
        Assert.True(Delivered(receiver).Count >= 20, $"only {Delivered(receiver).Count} changes delivered before the kill");

        // Kill -9 the silo where the subscription's grain is active; the flow goes on through the API node.
        var holder = await HoldsSubscriptionAsync(a) ? a : await HoldsSubscriptionAsync(b) ? b : null;
        Assert.NotNull(holder);
        var (killedAt, deliveredBefore) = (DateTimeOffset.UtcNow, receiver.Accepted.Count);
        holder.Kill();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: killed silo {(holder == a ? "A" : "B")} holding {subscription}; {deliveredBefore} deliveries accepted before");
        await Task.Delay(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await flowing;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: flow stopped; {flow.Filed} dossiers filed, {flow.Moved} moved, {flow.Readings} readings");

        // Everything the feed holds must reach the receiver; the feed itself is the list of what was committed.
        var committed = await FeedAsync(op);
        Assert.Contains(committed, c => c.At > killedAt && c.Id.StartsWith("fo-", StringComparison.Ordinal)); // alerts committed after the kill
        Assert.Contains(committed, c => c.At > killedAt && !c.Id.StartsWith("fo-", StringComparison.Ordinal)); // and dossiers
        List<Change> missing;
        do
        {
            var delivered = Delivered(receiver).Select(d => (d.Change.Id, d.Change.Version)).ToHashSet();
            missing = [.. committed.Where(c => !delivered.Contains((c.Id, c.Version)))];
            if (missing.Count == 0) break;
            await Task.Delay(500);
        }
        while (DateTimeOffset.UtcNow - killedAt < DeliveryBudget);

        var deliveries = Delivered(receiver);
        var firstAfterKill = deliveries.Where(d => d.At > killedAt).Select(d => d.At).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
        var latency = committed.Where(c => c.At > killedAt)
            .Select(c => (deliveries.Where(d => d.Change.Id == c.Id && d.Change.Version == c.Version).Select(d => d.At).DefaultIfEmpty(DateTimeOffset.MaxValue).Min() - c.At).TotalSeconds)
            .Order().ToList();
        output.WriteLine($"{committed.Count} changes committed ({committed.Count(c => c.At > killedAt)} after the kill), "
            + $"{deliveries.Count} delivered ({deliveries.Count - deliveries.Select(d => d.Change).Distinct().Count()} duplicates) in {receiver.Accepted.Count} accepted batches; "
            + $"first delivery {(firstAfterKill - killedAt).TotalSeconds:0.0} s after the kill; commit-to-delivery of the changes committed after the kill: "
            + $"median {latency[latency.Count / 2]:0.0} s, max {latency[^1]:0.0} s");
        Assert.True(missing.Count == 0, $"{missing.Count} of {committed.Count} changes never delivered, e.g. {string.Join(", ", missing.Take(5))}");
        // The registry's wake-up, not the minute-long reminder, brings the subscription back on the surviving silo.
        Assert.True(latency[^1] <= ResumeBudget.TotalSeconds, $"a change committed after the kill waited {latency[^1]:0.0} s");

        // In order per entity: each entity's versions first arrive in increasing order; every batch verifies and carries an id.
        foreach (var entity in deliveries.GroupBy(d => d.Change.Id))
        {
            var firsts = entity.Select(d => d.Change.Version).Distinct().ToList();
            Assert.Equal(firsts.Order(), firsts);
        }
        Assert.All(receiver.Accepted, r => Assert.True(WebhookReceiver.Verifies(r, Secret) && r.DeliveryId is { Length: > 0 }));
        var status = await op.GetFromJsonAsync<JsonElement>($"/api/v1/subscriptions/{subscription}");
        output.WriteLine($"status after: {status}");
    }

    /// <summary>Each delivered change in the order the receiver accepted them, with when.</summary>
    private static List<(Change Change, DateTimeOffset At)> Delivered(WebhookReceiver receiver) =>
        [.. receiver.Accepted.ToList().SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("changes").EnumerateArray()
            .Select(c => (new Change(c.GetProperty("id").GetString()!, c.GetProperty("version").GetInt64(), c.GetProperty("at").GetDateTimeOffset()), r.At)))];

    /// <summary>Whether the process has an active subscription grain (<c>orleans_grains{type=…}</c> on its scrape port).</summary>
    private static async Task<bool> HoldsSubscriptionAsync(SiloProcess silo) =>
        (await silo.MetricsAsync()).Split('\n').Any(line => line.StartsWith("orleans_grains{", StringComparison.Ordinal)
            && line.Contains("subscription", StringComparison.OrdinalIgnoreCase) && !line.EndsWith(" 0", StringComparison.Ordinal));

    private static async Task<List<Change>> FeedAsync(HttpClient op)
    {
        var changes = new List<Change>();
        var after = "0";
        while (true)
        {
            var page = await op.GetFromJsonAsync<JsonElement>($"/api/v1/changes?after={after}&types=alert,case&limit=1000");
            var items = page.GetProperty("items").EnumerateArray().ToList();
            changes.AddRange(items.Select(c => new Change(c.GetProperty("id").GetString()!, c.GetProperty("version").GetInt64(), c.GetProperty("at").GetDateTimeOffset())));
            if (items.Count == 0) return changes;
            after = page.GetProperty("nextCursor").GetString()!;
        }
    }

    private static async Task<List<(string Id, string Key)>> ProvisionAsync(HttpClient op, int count)
    {
        var gauges = new List<(string, string)>();
        for (var i = 0; i < count; i++)
        {
            var id = $"fo-{Guid.NewGuid():N}";
            var put = await op.PutAsJsonAsync($"/api/v1/sensors/{id}", new
            {
                kind = "water-level", unit = "m", commune = CityMap.Communes[i].Code, latitude = 16.46, longitude = 107.59, thresholds = new[] { 1.0, 2.0, 3.0 },
            });
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            gauges.Add((id, (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deviceKey").GetString()!));
        }
        return gauges;
    }

    private static async Task<List<(string Id, string Commune)>> RegisterAsync(HttpClient http, int count)
    {
        var citizens = new List<(string, string)>();
        for (var i = 0; i < count; i++)
        {
            var (id, commune) = (Keys.NewCitizenId(), CityMap.Communes[i].Code);
            var nationalId = (46_190_000_000L + Random.Shared.NextInt64(1_000_000_000)).ToString("D12", CultureInfo.InvariantCulture);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/citizens")
            {
                Content = JsonContent.Create(new { fullName = $"Trần Thị {i}", dateOfBirth = "1991-04-16", nationalId, phone = "0905123456", homeCommune = commune }),
            };
            request.Headers.Authorization = new("Bearer", SteadyFlow.Token(Roles.Citizen, citizenId: id));
            var answer = await http.SendAsync(request);
            Assert.True(answer.StatusCode == HttpStatusCode.Created, await answer.Content.ReadAsStringAsync());
            citizens.Add((id, commune));
        }
        return citizens;
    }

    /// <summary>Gauges swinging between dry and BĐ3 (alerts raised and cleared), and dossiers filed and moved along.</summary>
    private sealed class SteadyFlow(SiloProcess api, List<(string Id, string Key)> gauges, List<(string Id, string Commune)> citizens)
    {
        public int Filed, Moved, Readings;

        public static string Token(string role, string? commune = null, string? citizenId = null) =>
            Api.Auth.TokenIssuer.Issue(new Api.Auth.HueAuthOptions { SigningKey = DurablePlatform.SigningKey }, role, commune, citizenId);

        public async Task RunAsync(CancellationToken stop)
        {
            using var http = Processes.Client(api);
            http.Timeout = TimeSpan.FromSeconds(10); // a request caught by the kill is retried, not waited for
            var open = new List<(string Id, string Commune)>();
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                foreach (var (id, key) in gauges)
                    if (await SendAsync(http, HttpMethod.Post, $"/api/v1/sensors/{id}/readings", ("X-Device-Key", key),
                            new { at = DateTimeOffset.UtcNow, value = round % 2 == 0 ? 3.9 : 0.1 }) is (HttpStatusCode.Accepted, _))
                        Readings++;
                var (citizen, commune) = citizens[round % citizens.Count];
                var filing = ("Idempotency-Key", Guid.NewGuid().ToString("N"));
                for (var attempt = 0; attempt < 5; attempt++)
                {
                    var (status, body) = await SendAsync(http, HttpMethod.Post, "/api/v1/cases", filing,
                        new { procedure = "certified-copy", commune, form = new { documentName = $"Học bạ {round}", copies = "1" } }, Token(Roles.Citizen, citizenId: citizen));
                    if (status == HttpStatusCode.Created)
                    {
                        open.Add((body.GetProperty("id").GetString()!, commune));
                        Filed++;
                        break;
                    }
                }
                if (open.Count > 3)
                {
                    var (dossier, itsCommune) = open[0];
                    open.RemoveAt(0);
                    if (await SendAsync(http, HttpMethod.Post, $"/api/v1/cases/{dossier}/status", null,
                            new { status = "processing", note = "Đang xử lý" }, Token(Roles.Official, itsCommune)) is (HttpStatusCode.OK, _))
                        Moved++;
                }
                await Task.Delay(100, CancellationToken.None);
            }
        }

        private static async Task<(HttpStatusCode, JsonElement)> SendAsync(HttpClient http, HttpMethod method, string path, (string Name, string Value)? header, object body, string? token = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
            if (header is var (name, value)) request.Headers.Add(name, value);
            if (token is not null) request.Headers.Authorization = new("Bearer", token);
            try
            {
                using var answer = await http.SendAsync(request);
                var text = await answer.Content.ReadAsStringAsync();
                return (answer.StatusCode, text.Length > 0 && text[0] == '{' ? JsonDocument.Parse(text).RootElement.Clone() : default);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return (0, default); // the kill: this one is not acknowledged, and it may or may not be in the feed
            }
        }
    }
}
