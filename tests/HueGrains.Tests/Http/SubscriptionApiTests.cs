using System.Net;
using System.Text.Json;

namespace HueGrains.Tests.Http;

/// <summary>Webhook subscriptions (issue 15 item 3): at-least-once ordered delivery, signatures, validation, targets, pause.</summary>
[Collection(ApiCollection.Name)]
public class SubscriptionApiTests(ApiFixture api)
{
    private const string Secret = "a-test-secret-of-enough-length";

    private static async Task<string> SubscribeAsync(HttpClient client, object body)
    {
        var response = await client.PostJson("/api/v1/subscriptions", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Json();
        Assert.False(created.TryGetProperty("secret", out _));
        return created.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> StatusAsync(HttpClient client, string id)
    {
        var response = await client.GetAsync($"/api/v1/subscriptions/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Json();
    }

    /// <summary>Provisions gauges and rotates their keys; returns the (id, version) pairs the change feed shows for them.</summary>
    private async Task<List<(string Id, long Version)>> SensorChangesAsync(HttpClient op, int sensors)
    {
        var ids = new List<string>();
        for (var i = 0; i < sensors; i++)
        {
            var (id, _) = await api.GaugeAsync("19753");
            Assert.Equal(HttpStatusCode.OK, (await op.PostAsync($"/api/v1/sensors/{id}/key", null)).StatusCode);
            ids.Add(id);
        }
        var feed = await (await op.GetAsync("/api/v1/changes?after=0&types=sensor&limit=1000")).Json();
        return [.. feed.GetProperty("items").EnumerateArray().Where(c => ids.Contains(c.GetProperty("id").GetString()!))
            .Select(c => (c.GetProperty("id").GetString()!, c.GetProperty("version").GetInt64()))];
    }

    private static List<(string Id, long Version)> Delivered(IEnumerable<WebhookReceiver.Request> requests) =>
        [.. requests.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("changes").EnumerateArray()
            .Select(c => (c.GetProperty("id").GetString()!, c.GetProperty("version").GetInt64())))];

    [Fact]
    public async Task A_target_that_fails_five_times_then_times_out_twice_still_gets_every_change_in_order_signed()
    {
        using var receiver = new WebhookReceiver
        {
            Answer = attempt => attempt switch
            {
                <= 5 => (500, TimeSpan.Zero),
                <= 7 => (200, TimeSpan.FromSeconds(3)), // the platform waits 1 s in tests
                _ => (200, TimeSpan.Zero),
            },
        };
        var op = api.As(Roles.Operator);
        var id = await SubscribeAsync(op, new { url = receiver.Url, types = new[] { "sensor" }, secret = Secret });
        var expected = await SensorChangesAsync(op, 3);
        Assert.True(expected.Count >= 3);

        var failing = await Eventually.Holds(() => StatusAsync(op, id), s => s.GetProperty("consecutiveFailures").GetInt32() >= 2, TimeSpan.FromSeconds(20));
        // Seen while failing: a 500, or (on a slow machine, already) a timeout.
        Assert.True(failing.GetProperty("lastFailureStatus") is { ValueKind: JsonValueKind.Number } code ? code.GetInt32() == 500
            : failing.GetProperty("lastFailureReason").GetString() == "timeout", failing.GetRawText());
        Assert.NotEqual(JsonValueKind.Null, failing.GetProperty("lastFailureAt").ValueKind);
        Assert.True(failing.GetProperty("backlog").GetInt32() >= 1);
        await Eventually.Holds(() => Task.FromResult(Delivered(receiver.Accepted)), got => expected.All(got.Contains), TimeSpan.FromSeconds(30));

        Assert.True(receiver.All.Count >= 8);
        Assert.All(receiver.All, r => Assert.True(WebhookReceiver.Verifies(r, Secret), "signature"));
        var delivered = Delivered(receiver.Accepted).Where(expected.Contains).ToList();
        foreach (var entity in delivered.GroupBy(c => c.Id))
            Assert.Equal(entity.Select(c => c.Version).Order(), entity.Select(c => c.Version)); // in order per entity
        // A retried batch keeps its delivery id, so the receiver can drop duplicates.
        Assert.All(receiver.All, r => Assert.StartsWith(id, r.DeliveryId));
        var done = await StatusAsync(op, id);
        Assert.Equal(0, done.GetProperty("consecutiveFailures").GetInt32());
        Assert.Equal("timeout", done.GetProperty("lastFailureReason").GetString());
        Assert.NotEqual(JsonValueKind.Null, done.GetProperty("lastSuccessAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, done.GetProperty("lastFailureAt").ValueKind);
        Assert.False(done.GetProperty("paused").GetBoolean());
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_retried_after_the_time_the_target_asked_for()
    {
        using var receiver = new WebhookReceiver { RetryAfterSeconds = 2, Answer = attempt => (attempt == 1 ? 429 : 200, TimeSpan.Zero) };
        var op = api.As(Roles.Operator);
        var id = await SubscribeAsync(op, new { url = receiver.Url, types = new[] { "sensor" }, secret = Secret });
        var expected = await SensorChangesAsync(op, 1);
        await Eventually.Holds(() => Task.FromResult(Delivered(receiver.Accepted)), got => expected.All(got.Contains), TimeSpan.FromSeconds(20));
        var attempts = receiver.All.OrderBy(r => r.Attempt).ToList();
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromSeconds(1.8), $"retried after {attempts[1].At - attempts[0].At}"); // backoff alone: ~50 ms
        Assert.Equal(429, (await StatusAsync(op, id)).GetProperty("lastFailureStatus").GetInt32());
    }

    [Fact]
    public async Task A_redirect_is_not_followed_but_retried()
    {
        using var receiver = new WebhookReceiver { Answer = attempt => (attempt == 1 ? 307 : 200, TimeSpan.Zero) };
        var op = api.As(Roles.Operator);
        var id = await SubscribeAsync(op, new { url = receiver.Url, types = new[] { "sensor" }, secret = Secret });
        var expected = await SensorChangesAsync(op, 1);
        await Eventually.Holds(() => Task.FromResult(Delivered(receiver.Accepted)), got => expected.All(got.Contains), TimeSpan.FromSeconds(20));
        var status = await StatusAsync(op, id);
        Assert.Equal(307, status.GetProperty("lastFailureStatus").GetInt32());
        Assert.Equal("redirect", status.GetProperty("lastFailureReason").GetString());
    }

    [Theory]
    [InlineData("""{"url":"ftp://x.example/hook","secret":"a-test-secret-of-enough-length"}""", "url")]
    [InlineData("""{"url":"not a url","secret":"a-test-secret-of-enough-length"}""", "url")]
    [InlineData("""{"url":"http://hooks.example/hook","secret":"a-test-secret-of-enough-length"}""", "url")]
    [InlineData("""{"url":"https://hooks.example/hook"}""", "secret")]
    [InlineData("""{"url":"https://hooks.example/hook","secret":"a-test-secret-of-enough-length","types":["alerts"]}""", "types")]
    [InlineData("""{"url":"https://hooks.example/hook","secret":"a-test-secret-of-enough-length","commune":"00000"}""", "commune")]
    [InlineData("""{"url":"https://hooks.example/hook","secret":"a-test-secret-of-enough-length","callback":"x"}""", "callback")]
    [InlineData("""{"url":"https://hooks.example/hook","secret":"a-test-secret-of-enough-length","filters":{"colour":"red"}}""", "filters.colour")]
    [InlineData("""{"url":"https://hooks.example/hook","secret":"a-test-secret-of-enough-length","filters":{"sensorKind":"lava"}}""", "filters.sensorKind")]
    [InlineData("""{"url":"https://hooks.example/hook","secret":"a-test-secret-of-enough-length","filters":{"minAlertLevel":"high"}}""", "filters.minAlertLevel")]
    [InlineData("""{"url":"https://hooks.example/hook","secret":"a-test-secret-of-enough-length","maxPerMinute":0}""", "maxPerMinute")]
    [InlineData("""{"url":"https://hooks.example/hook","secret":"a-test-secret-of-enough-length","expiresAt":"2001-01-01T00:00:00Z"}""", "expiresAt")]
    [InlineData("""{"url":"https://10.1.2.3/hook","secret":"a-test-secret-of-enough-length"}""", "url")]
    [InlineData("""{"url":"https://127.0.0.2/hook","secret":"a-test-secret-of-enough-length"}""", "url")]
    [InlineData("""{"url":"https://[::1]/hook","secret":"a-test-secret-of-enough-length"}""", "url")]
    [InlineData("""{"url":"https://169.254.169.254/latest","secret":"a-test-secret-of-enough-length"}""", "url")]
    [InlineData("""[]""", "body")]
    [InlineData("""{"url":""", "body")]
    public async Task A_malformed_or_internal_subscription_is_a_400_naming_the_field(string body, string field)
    {
        var response = await api.As(Roles.Leader).PostRaw("/api/v1/subscriptions", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Subscribing_follows_the_roles_of_reading_the_feed()
    {
        var body = new { url = "https://hooks.example/hook", types = new[] { "case" }, secret = Secret };
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Citizen, citizenId: Keys.NewCitizenId()).PostJson("/api/v1/subscriptions", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Anonymous.PostJson("/api/v1/subscriptions", body)).StatusCode);
        await SubscribeAsync(api.As(Roles.Official, "19753"), body);
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_is_refused_when_delivering()
    {
        using var receiver = new WebhookReceiver();
        var op = api.As(Roles.Operator);
        var port = new Uri(receiver.Url).Port;
        var id = await SubscribeAsync(op, new { url = $"https://localhost:{port}/hook", types = new[] { "sensor" }, secret = Secret });
        var ping = await (await op.PostAsync($"/api/v1/subscriptions/{id}/test", null)).Json();
        Assert.False(ping.GetProperty("delivered").GetBoolean());
        Assert.Equal("address-refused", ping.GetProperty("reason").GetString());
        await api.GaugeAsync("19753");
        var status = await Eventually.Holds(() => StatusAsync(op, id), s => s.GetProperty("consecutiveFailures").GetInt32() >= 1, TimeSpan.FromSeconds(20));
        Assert.Equal("address-refused", status.GetProperty("lastFailureReason").GetString());
        Assert.Empty(receiver.All);
        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync($"/api/v1/subscriptions/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_target_that_keeps_refusing_pauses_the_subscription_and_resume_delivers_what_waited()
    {
        var accept = false;
        using var receiver = new WebhookReceiver { Answer = _ => (Volatile.Read(ref accept) ? 204 : 400, TimeSpan.Zero) };
        var op = api.As(Roles.Operator);
        var id = await SubscribeAsync(op, new { url = receiver.Url, types = new[] { "sensor" }, secret = Secret, filters = new { sensorKind = "water-level" } });
        var expected = await SensorChangesAsync(op, 1);

        var paused = await Eventually.Holds(() => StatusAsync(op, id), s => s.GetProperty("paused").GetBoolean(), TimeSpan.FromSeconds(40));
        Assert.Equal(400, paused.GetProperty("lastFailureStatus").GetInt32());
        Assert.True(paused.GetProperty("backlog").GetInt32() >= expected.Count);
        var attempts = receiver.All.Count;
        await Task.Delay(1500);
        Assert.Equal(attempts, receiver.All.Count); // paused means no more attempts

        Volatile.Write(ref accept, true);
        var resumed = await (await op.PostAsync($"/api/v1/subscriptions/{id}/resume", null)).Json();
        Assert.False(resumed.GetProperty("paused").GetBoolean());
        await Eventually.Holds(() => Task.FromResult(Delivered(receiver.Accepted)), got => expected.All(got.Contains), TimeSpan.FromSeconds(20));
        var status = await Eventually.Holds(() => StatusAsync(op, id), s => s.GetProperty("backlog").GetInt32() == 0, TimeSpan.FromSeconds(10));
        Assert.Equal(0, status.GetProperty("consecutiveFailures").GetInt32());
    }

    [Fact]
    public async Task A_test_ping_is_signed_and_only_the_creator_or_an_operator_sees_or_deletes_a_subscription()
    {
        using var receiver = new WebhookReceiver();
        var mine = api.As(Roles.Leader);
        var id = await SubscribeAsync(mine, new { url = receiver.Url, types = new[] { "alert", "commune" }, secret = Secret });

        var ping = await (await mine.PostAsync($"/api/v1/subscriptions/{id}/test", null)).Json();
        Assert.True(ping.GetProperty("delivered").GetBoolean());
        var got = Assert.Single(receiver.All);
        Assert.True(WebhookReceiver.Verifies(got, Secret));
        Assert.StartsWith("ping-", got.DeliveryId);
        var delivery = JsonDocument.Parse(got.Body).RootElement;
        Assert.Equal(id, delivery.GetProperty("subscriptionId").GetString());
        Assert.Equal(0, delivery.GetProperty("changes").GetArrayLength());

        var other = api.As(Roles.Leader);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/subscriptions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/v1/subscriptions/{id}")).StatusCode);
        var status = await StatusAsync(api.As(Roles.Operator), id);
        Assert.DoesNotContain(Secret, status.GetRawText());
        Assert.Equal(HttpStatusCode.NoContent, (await mine.DeleteAsync($"/api/v1/subscriptions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mine.GetAsync($"/api/v1/subscriptions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mine.DeleteAsync($"/api/v1/subscriptions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mine.GetAsync("/api/v1/subscriptions/s-unknown")).StatusCode);
    }

    [Fact]
    public async Task One_owner_has_at_most_the_configured_number_of_subscriptions_and_deleting_one_frees_a_place()
    {
        var citizen = api.As(Roles.Citizen, citizenId: Keys.NewCitizenId());
        var body = new { url = "https://hooks.example/hook", types = new[] { "alert" }, secret = Secret };
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await SubscribeAsync(citizen, body)); // Hue:Subscriptions:MaxPerOwner is 3 here

        var refused = await citizen.PostJson("/api/v1/subscriptions", body);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("3 subscriptions", (await refused.Json()).GetProperty("detail").GetString());
        await SubscribeAsync(api.As(Roles.Citizen, citizenId: Keys.NewCitizenId()), body); // another owner is not concerned

        Assert.Equal(HttpStatusCode.NoContent, (await citizen.DeleteAsync($"/api/v1/subscriptions/{ids[0]}")).StatusCode);
        ids[0] = await SubscribeAsync(citizen, body);
        foreach (var id in ids) Assert.Equal(HttpStatusCode.NoContent, (await citizen.DeleteAsync($"/api/v1/subscriptions/{id}")).StatusCode);
    }
}
