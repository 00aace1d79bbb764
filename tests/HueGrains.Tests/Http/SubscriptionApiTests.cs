using System.Net;
using System.Text.Json;
using HueGrains.Client;
using Microsoft.Kiota.Abstractions;
using Wire = HueGrains.Client.Models;

namespace HueGrains.Tests.Http;

/// <summary>
/// Webhook subscriptions (issue 15 item 3): at-least-once ordered delivery, signatures, validation, targets, pause. Called
/// through HueGrains.Client, the generated client, except for bodies it cannot send (malformed or unknown fields).
/// </summary>
[Collection(ApiCollection.Name)]
public class SubscriptionApiTests(ApiFixture api)
{
    private const string Secret = "a-test-secret-of-enough-length";

    private static Wire.SubscriptionRequest Request(string url, params string[] types) =>
        new() { Url = url, Types = types.Length == 0 ? null : [.. types], Secret = Secret }; // an empty list is refused, so none is sent

    private static async Task<string> SubscribeAsync(HttpClient client, Wire.SubscriptionRequest body)
    {
        var created = (await ApiFixture.Typed(client).Api.V1.Subscriptions.PostAsync(body))!;
        Assert.DoesNotContain("secret", created.AdditionalData.Keys);
        Assert.DoesNotContain(Secret, created.ToJson());
        Assert.StartsWith("s-", created.Id);
        return created.Id!;
    }

    private static async Task<Wire.SubscriptionView> StatusAsync(HttpClient client, string id) =>
        (await ApiFixture.Typed(client).Api.V1.Subscriptions[id].GetAsync())!;

    /// <summary>The status code of the problem a call of the generated client ends in.</summary>
    private static async Task<int> RefusedAsync(Func<HueApiClient, Task> call, HttpClient client) =>
        (await Assert.ThrowsAnyAsync<ApiException>(() => call(ApiFixture.Typed(client)))).ResponseStatusCode;

    /// <summary>Provisions gauges and rotates their keys; returns the (id, version) pairs the change feed shows for them.</summary>
    private async Task<List<(string Id, long Version)>> SensorChangesAsync(HttpClient op, int sensors)
    {
        var ids = new List<string>();
        for (var i = 0; i < sensors; i++)
        {
            var (id, _) = await api.GaugeAsync("19753");
            Assert.NotNull((await ApiFixture.Typed(op).Api.V1.Sensors[id].Key.PostAsync())!.DeviceKey);
            ids.Add(id);
        }
        var feed = (await ApiFixture.Typed(op).Api.V1.Changes.GetAsync(r => (r.QueryParameters.After, r.QueryParameters.Types, r.QueryParameters.Limit) = ("0", "sensor", 1000)))!;
        return [.. feed.Items!.Where(c => ids.Contains(c.Id!)).Select(c => (c.Id!, c.Version!.Value))];
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
        var id = await SubscribeAsync(op, Request(receiver.Url, "sensor"));
        var expected = await SensorChangesAsync(op, 3);
        Assert.True(expected.Count >= 3);

        var failing = await Eventually.Holds(() => StatusAsync(op, id), s => s.ConsecutiveFailures >= 2, TimeSpan.FromSeconds(20));
        // Seen while failing: a 500, or (on a slow machine, already) a timeout.
        Assert.True(failing.LastFailureStatus is { } code ? code == 500 : failing.LastFailureReason == "timeout", failing.ToJson());
        Assert.NotNull(failing.LastFailureAt);
        Assert.True(failing.Backlog >= 1);
        await Eventually.Holds(() => Task.FromResult(Delivered(receiver.Accepted)), got => expected.All(got.Contains), TimeSpan.FromSeconds(30));

        Assert.True(receiver.All.Count >= 8);
        Assert.All(receiver.All, r => Assert.True(WebhookReceiver.Verifies(r, Secret), "signature"));
        var delivered = Delivered(receiver.Accepted).Where(expected.Contains).ToList();
        foreach (var entity in delivered.GroupBy(c => c.Id))
            Assert.Equal(entity.Select(c => c.Version).Order(), entity.Select(c => c.Version)); // in order per entity
        // A retried batch keeps its delivery id, so the receiver can drop duplicates.
        Assert.All(receiver.All, r => Assert.StartsWith(id, r.DeliveryId));
        var done = await StatusAsync(op, id);
        Assert.Equal(0, done.ConsecutiveFailures);
        Assert.Equal("timeout", done.LastFailureReason);
        Assert.NotNull(done.LastSuccessAt);
        Assert.NotNull(done.LastFailureAt);
        Assert.False(done.Paused);
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_retried_after_the_time_the_target_asked_for()
    {
        using var receiver = new WebhookReceiver { RetryAfterSeconds = 2, Answer = attempt => (attempt == 1 ? 429 : 200, TimeSpan.Zero) };
        var op = api.As(Roles.Operator);
        var id = await SubscribeAsync(op, Request(receiver.Url, "sensor"));
        var expected = await SensorChangesAsync(op, 1);
        await Eventually.Holds(() => Task.FromResult(Delivered(receiver.Accepted)), got => expected.All(got.Contains), TimeSpan.FromSeconds(20));
        var attempts = receiver.All.OrderBy(r => r.Attempt).ToList();
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromSeconds(1.8), $"retried after {attempts[1].At - attempts[0].At}"); // backoff alone: ~50 ms
        Assert.Equal(429, (await StatusAsync(op, id)).LastFailureStatus);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_but_retried()
    {
        using var receiver = new WebhookReceiver { Answer = attempt => (attempt == 1 ? 307 : 200, TimeSpan.Zero) };
        var op = api.As(Roles.Operator);
        var id = await SubscribeAsync(op, Request(receiver.Url, "sensor"));
        var expected = await SensorChangesAsync(op, 1);
        await Eventually.Holds(() => Task.FromResult(Delivered(receiver.Accepted)), got => expected.All(got.Contains), TimeSpan.FromSeconds(20));
        var status = await StatusAsync(op, id);
        Assert.Equal(307, status.LastFailureStatus);
        Assert.Equal("redirect", status.LastFailureReason);
    }

    // Bodies the generated client cannot send (unknown fields, wrong JSON types, not JSON): posted raw.
    [Theory]
    [InlineData("""{"url":"https://hooks.example/hook","secret":"a-test-secret-of-enough-length","callback":"x"}""", "callback")]
    [InlineData("""{"url":"https://hooks.example/hook","secret":"a-test-secret-of-enough-length","filters":{"colour":"red"}}""", "filters.colour")]
    [InlineData("""{"url":"https://hooks.example/hook","secret":"a-test-secret-of-enough-length","filters":{"sensorKind":"lava"}}""", "filters.sensorKind")]
    [InlineData("""{"url":"https://hooks.example/hook","secret":"a-test-secret-of-enough-length","filters":{"minAlertLevel":"high"}}""", "filters.minAlertLevel")]
    [InlineData("""[]""", "body")]
    [InlineData("""{"url":""", "body")]
    public async Task A_malformed_subscription_is_a_400_naming_the_field(string body, string field)
    {
        var response = await api.As(Roles.Leader).PostRaw("/api/v1/subscriptions", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("ftp://x.example/hook", null, "url")]
    [InlineData("not a url", null, "url")]
    [InlineData("http://hooks.example/hook", null, "url")]
    [InlineData("https://10.1.2.3/hook", null, "url")]
    [InlineData("https://127.0.0.2/hook", null, "url")]
    [InlineData("https://[::1]/hook", null, "url")]
    [InlineData("https://169.254.169.254/latest", null, "url")]
    [InlineData("https://hooks.example/hook", "no-secret", "secret")]
    [InlineData("https://hooks.example/hook", "types", "types")]
    [InlineData("https://hooks.example/hook", "commune", "commune")]
    [InlineData("https://hooks.example/hook", "maxPerMinute", "maxPerMinute")]
    [InlineData("https://hooks.example/hook", "expiresAt", "expiresAt")]
    [InlineData("https://hooks.example/hook", "minAlertLevel", "filters.minAlertLevel")]
    public async Task An_invalid_or_internal_subscription_is_a_400_naming_the_field(string url, string? flaw, string field)
    {
        var body = Request(url);
        switch (flaw)
        {
            case "no-secret": body.Secret = null; break;
            case "types": body.Types = ["alerts"]; break;
            case "commune": body.Commune = "00000"; break;
            case "maxPerMinute": body.MaxPerMinute = 0; break;
            case "expiresAt": body.ExpiresAt = DateTimeOffset.Parse("2001-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture); break;
            case "minAlertLevel": body.Filters = new Wire.SubscriptionFilters { MinAlertLevel = 11 }; break;
        }
        var problem = await Assert.ThrowsAsync<Wire.HttpValidationProblemDetails>(() => ApiFixture.Typed(api.As(Roles.Leader)).Api.V1.Subscriptions.PostAsync(body));
        Assert.Equal((400, 400), (problem.ResponseStatusCode, problem.Status));
        Assert.True(problem.Errors!.AdditionalData.ContainsKey(field), problem.ToJson());
    }

    [Fact]
    public async Task Subscribing_follows_the_roles_of_reading_the_feed()
    {
        var body = Request("https://hooks.example/hook", "case");
        Assert.Equal(403, await RefusedAsync(c => c.Api.V1.Subscriptions.PostAsync(body), api.As(Roles.Citizen, citizenId: Keys.NewCitizenId())));
        Assert.Equal(401, await RefusedAsync(c => c.Api.V1.Subscriptions.PostAsync(body), api.Anonymous));
        await SubscribeAsync(api.As(Roles.Official, "19753"), body);
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_is_refused_when_delivering()
    {
        using var receiver = new WebhookReceiver();
        var op = api.As(Roles.Operator);
        var port = new Uri(receiver.Url).Port;
        var id = await SubscribeAsync(op, Request($"https://localhost:{port}/hook", "sensor"));
        var ping = (await ApiFixture.Typed(op).Api.V1.Subscriptions[id].Test.PostAsync())!;
        Assert.False(ping.Delivered);
        Assert.Equal("address-refused", ping.Reason);
        await api.GaugeAsync("19753");
        var status = await Eventually.Holds(() => StatusAsync(op, id), s => s.ConsecutiveFailures >= 1, TimeSpan.FromSeconds(20));
        Assert.Equal("address-refused", status.LastFailureReason);
        Assert.Empty(receiver.All);
        await ApiFixture.Typed(op).Api.V1.Subscriptions[id].DeleteAsync(); // 204; a problem would throw
        Assert.Equal(404, await RefusedAsync(c => c.Api.V1.Subscriptions[id].GetAsync(), op));
    }

    [Fact]
    public async Task A_target_that_keeps_refusing_pauses_the_subscription_and_resume_delivers_what_waited()
    {
        var accept = false;
        using var receiver = new WebhookReceiver { Answer = _ => (Volatile.Read(ref accept) ? 204 : 400, TimeSpan.Zero) };
        var op = api.As(Roles.Operator);
        var body = Request(receiver.Url, "sensor");
        body.Filters = new Wire.SubscriptionFilters { SensorKind = Wire.SensorKind.WaterLevel };
        var id = await SubscribeAsync(op, body);
        Assert.Equal(Wire.SensorKind.WaterLevel, (await StatusAsync(op, id)).Filters!.SensorKind);
        var expected = await SensorChangesAsync(op, 1);

        var paused = await Eventually.Holds(() => StatusAsync(op, id), s => s.Paused == true, TimeSpan.FromSeconds(40));
        Assert.Equal(400, paused.LastFailureStatus);
        Assert.True(paused.Backlog >= expected.Count);
        var attempts = receiver.All.Count;
        await Task.Delay(1500);
        Assert.Equal(attempts, receiver.All.Count); // paused means no more attempts

        Volatile.Write(ref accept, true);
        var resumed = (await ApiFixture.Typed(op).Api.V1.Subscriptions[id].Resume.PostAsync())!;
        Assert.False(resumed.Paused);
        await Eventually.Holds(() => Task.FromResult(Delivered(receiver.Accepted)), got => expected.All(got.Contains), TimeSpan.FromSeconds(20));
        var status = await Eventually.Holds(() => StatusAsync(op, id), s => s.Backlog == 0, TimeSpan.FromSeconds(10));
        Assert.Equal(0, status.ConsecutiveFailures);
    }

    [Fact]
    public async Task A_test_ping_is_signed_and_only_the_creator_or_an_operator_sees_or_deletes_a_subscription()
    {
        using var receiver = new WebhookReceiver();
        var mine = api.As(Roles.Leader);
        var id = await SubscribeAsync(mine, Request(receiver.Url, "alert", "commune"));
        var subscription = ApiFixture.Typed(mine).Api.V1.Subscriptions[id];

        var ping = (await subscription.Test.PostAsync())!;
        Assert.True(ping.Delivered);
        var got = Assert.Single(receiver.All);
        Assert.True(WebhookReceiver.Verifies(got, Secret));
        Assert.StartsWith("ping-", got.DeliveryId);
        var delivery = JsonDocument.Parse(got.Body).RootElement;
        Assert.Equal(id, delivery.GetProperty("subscriptionId").GetString());
        Assert.Equal(0, delivery.GetProperty("changes").GetArrayLength());

        var other = api.As(Roles.Leader);
        Assert.Equal(404, await RefusedAsync(c => c.Api.V1.Subscriptions[id].GetAsync(), other));
        Assert.Equal(404, await RefusedAsync(c => c.Api.V1.Subscriptions[id].DeleteAsync(), other));
        var status = await StatusAsync(api.As(Roles.Operator), id);
        Assert.DoesNotContain(Secret, status.ToJson());
        await subscription.DeleteAsync(); // 204; a problem would throw
        var gone = await Assert.ThrowsAsync<Wire.ProblemDetails>(() => subscription.GetAsync());
        Assert.Equal((404, "Not found."), (gone.Status, gone.Title));
        Assert.Equal(404, await RefusedAsync(c => c.Api.V1.Subscriptions[id].DeleteAsync(), mine));
        Assert.Equal(404, await RefusedAsync(c => c.Api.V1.Subscriptions["s-unknown"].GetAsync(), mine));
    }

    [Fact]
    public async Task One_owner_has_at_most_the_configured_number_of_subscriptions_and_deleting_one_frees_a_place()
    {
        var citizen = api.As(Roles.Citizen, citizenId: Keys.NewCitizenId());
        var body = Request("https://hooks.example/hook", "alert");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await SubscribeAsync(citizen, body)); // Hue:Subscriptions:MaxPerOwner is 3 here

        var refused = await Assert.ThrowsAsync<Wire.ProblemDetails>(() => ApiFixture.Typed(citizen).Api.V1.Subscriptions.PostAsync(body));
        Assert.Equal((int)HttpStatusCode.Conflict, refused.ResponseStatusCode);
        Assert.Contains("3 subscriptions", refused.Detail);
        await SubscribeAsync(api.As(Roles.Citizen, citizenId: Keys.NewCitizenId()), body); // another owner is not concerned

        await ApiFixture.Typed(citizen).Api.V1.Subscriptions[ids[0]].DeleteAsync(); // 204; a problem would throw
        ids[0] = await SubscribeAsync(citizen, body);
        foreach (var id in ids) await ApiFixture.Typed(citizen).Api.V1.Subscriptions[id].DeleteAsync();
        Assert.Equal(404, await RefusedAsync(c => c.Api.V1.Subscriptions[ids[0]].GetAsync(), citizen));
    }
}
