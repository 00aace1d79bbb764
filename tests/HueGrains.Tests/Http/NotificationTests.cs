using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace HueGrains.Tests.Http;

/// <summary>Citizens hear back: alerts of their commune and watched places, updates of followed reports, a paged inbox.</summary>
[Collection(ApiCollection.Name)]
public class NotificationTests(ApiFixture api, ITestOutputHelper output)
{
    private const string KimLong = "19774";

    private static string NationalId() => Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<(string Id, HttpClient Client)> RegisterAsync(string home)
    {
        var id = Keys.NewCitizenId();
        var client = api.As(Roles.Citizen, citizenId: id);
        var response = await client.PostJson("/api/v1/citizens",
            new { fullName = "Nguyễn Văn An", dateOfBirth = "1990-05-01", nationalId = NationalId(), phone = "0914 000 111", homeCommune = home });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (id, client);
    }

    private static async Task<JsonElement[]> InboxAsync(HttpClient client, string id, string query = "") =>
        [.. (await (await client.GetAsync($"/api/v1/citizens/{id}/notifications{query}")).Json()).GetProperty("items").EnumerateArray()];

    private static bool About(JsonElement n, string sensor) => n.GetProperty("entityId").GetString()!.EndsWith(sensor, StringComparison.Ordinal);

    [Fact]
    public async Task A_BD2_reading_in_Kim_Long_reaches_the_inbox_of_each_of_1000_citizens_living_there_within_5_s()
    {
        var citizens = new List<(string Id, HttpClient Client)>();
        foreach (var batch in Enumerable.Range(0, 1000).Chunk(50))
            citizens.AddRange(await Task.WhenAll(batch.Select(_ => RegisterAsync(KimLong))));
        var (gauge, device) = await api.GaugeAsync(KimLong);

        var clock = Stopwatch.StartNew();
        var posted = await device.PostJson($"/api/v1/sensors/{gauge}/readings", new { at = DateTimeOffset.UtcNow.AddSeconds(-1), value = 2.1 });
        Assert.True(posted.IsSuccessStatusCode);
        var acknowledged = clock.Elapsed;
        var (lastId, lastClient) = citizens[^1];
        await Eventually.Holds(() => InboxAsync(lastClient, lastId), items => items.Any(n => About(n, gauge)), TimeSpan.FromSeconds(10));
        var reached = clock.Elapsed;
        output.WriteLine($"embedded: reading acknowledged in {acknowledged.TotalMilliseconds:0} ms; 1,000 inboxes written {reached.TotalMilliseconds:0} ms after the reading");

        var counts = new List<int>();
        foreach (var batch in citizens.Chunk(100))
            counts.AddRange(await Task.WhenAll(batch.Select(async c => (await InboxAsync(c.Client, c.Id)).Count(n => About(n, gauge)))));
        Assert.All(counts, count => Assert.Equal(1, count));
        var one = (await InboxAsync(lastClient, lastId)).First(n => About(n, gauge));
        Assert.Equal("alert", one.GetProperty("kind").GetString());
        Assert.Contains("Báo động 2", one.GetProperty("titleVi").GetString(), StringComparison.Ordinal);
        Assert.Contains("alarm level 2", one.GetProperty("titleEn").GetString(), StringComparison.Ordinal);
        Assert.True(reached < TimeSpan.FromSeconds(5), $"the inboxes were written {reached.TotalSeconds:0.0} s after the reading");
    }

    [Fact]
    public async Task A_watched_place_hears_of_alerts_nearby_and_places_are_validated()
    {
        var (me, client) = await RegisterAsync("19753");
        var places = $"/api/v1/citizens/{me}/places";
        await SensorApiTests.AssertProblem(await client.PostJson(places, new { latitude = 16.46, longitude = 107.57, radius = 0 }), HttpStatusCode.BadRequest, "radius");
        await SensorApiTests.AssertProblem(await client.PostJson(places, new { latitude = 16.46, longitude = 107.57, radius = 10_000_000 }), HttpStatusCode.BadRequest, "radius");
        await SensorApiTests.AssertProblem(await client.PostJson(places, new { latitude = 107.57, longitude = 16.46, radius = 500 }), HttpStatusCode.BadRequest, "latitude");
        await SensorApiTests.AssertProblem(await client.PostJson(places, new { latitude = 16.46, radius = 500 }), HttpStatusCode.BadRequest, "longitude");
        var place = await (await client.PostJson(places, new { name = "Nhà mẹ", latitude = 16.461, longitude = 107.571, radius = 500 })).Json();
        var far = await (await client.PostJson(places, new { name = "Chỗ làm", latitude = 16.3, longitude = 107.8, radius = 1000 })).Json();
        Assert.Equal(2, (await (await client.GetAsync(places)).Json()).GetArrayLength());
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"{places}/{far.GetProperty("id").GetString()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"{places}/{far.GetProperty("id").GetString()}")).StatusCode);
        Assert.Equal("Nhà mẹ", (await (await client.GetAsync(places)).Json())[0].GetProperty("name").GetString());

        var (gauge, device) = await api.GaugeAsync(KimLong); // at 16.46, 107.57: about 140 m from the watched place
        await device.PostJson($"/api/v1/sensors/{gauge}/readings", new { at = DateTimeOffset.UtcNow.AddSeconds(-1), value = 3.6 });
        var items = await Eventually.Holds(() => InboxAsync(client, me), items => items.Any(n => About(n, gauge)));
        Assert.Single(items, n => About(n, gauge));
        Assert.Equal(500, place.GetProperty("radius").GetDouble());
    }

    [Fact]
    public async Task Followers_hear_of_report_updates_page_their_inbox_mark_it_read_and_nobody_else_reads_it()
    {
        // Their home commune is one no other test raises alerts in, so the inbox holds only the report's updates.
        var (me, client) = await RegisterAsync("20182");
        var (follower, followerClient) = await RegisterAsync("20182");
        var report = (await (await client.PostJson("/api/v1/feedback", new { category = "other", description = "Đèn đường hỏng", commune = "19753" })).Json()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await followerClient.PutAsync($"/api/v1/citizens/{follower}/follows/{report}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await followerClient.PutAsync($"/api/v1/citizens/{follower}/follows/{Keys.NewFeedbackId()}", null)).StatusCode);

        using var live = await SseClient.ConnectAsync(client, $"/api/v1/citizens/{me}/notifications/live");
        var official = api.As(Roles.Official, "19753");
        await official.PostJson($"/api/v1/feedback/{report}/status", new { status = "assigned" });
        var streamed = await live.UntilAsync(e => e.Type == "notification");
        Assert.Contains(report, streamed[^1].Data, StringComparison.Ordinal);

        await Eventually.Holds(() => InboxAsync(followerClient, follower), items => items.Length == 1);
        Assert.Equal(HttpStatusCode.NoContent, (await followerClient.DeleteAsync($"/api/v1/citizens/{follower}/follows/{report}")).StatusCode);
        await official.PostJson($"/api/v1/feedback/{report}/status", new { status = "in-progress" });
        await official.PostJson($"/api/v1/feedback/{report}/status", new { status = "resolved", answer = "Đã thay bóng đèn." });
        var all = await Eventually.Holds(() => InboxAsync(client, me), items => items.Length == 3);
        Assert.Equal(["A report you follow was answered", "A report you follow is being handled", "A report you follow was assigned"],
            all.Select(n => n.GetProperty("titleEn").GetString()));
        Assert.Equal("Phản ánh bạn theo dõi đã có trả lời", all[0].GetProperty("titleVi").GetString());
        Assert.Single(await InboxAsync(followerClient, follower)); // unfollowed after the first

        var first = await (await client.GetAsync($"/api/v1/citizens/{me}/notifications?limit=2")).Json();
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await (await client.GetAsync($"/api/v1/citizens/{me}/notifications?limit=2&cursor={cursor}")).Json();
        Assert.Equal(all.Select(n => n.GetProperty("id").GetString()),
            first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(n => n.GetProperty("id").GetString()));

        var marked = await (await client.PostJson($"/api/v1/citizens/{me}/notifications/read", new { ids = new[] { all[0].GetProperty("id").GetString() } })).Json();
        Assert.Equal(1, marked.GetProperty("marked").GetInt32());
        Assert.Equal(2, (await InboxAsync(client, me, "?unread=true")).Length);
        var upTo = await (await client.PostJson($"/api/v1/citizens/{me}/notifications/read", new { upTo = cursor })).Json();
        Assert.Equal(2, upTo.GetProperty("marked").GetInt32()); // the page's last entry and everything older
        Assert.Empty(await InboxAsync(client, me, "?unread=true"));
        await SensorApiTests.AssertProblem(await client.PostJson($"/api/v1/citizens/{me}/notifications/read", new { }), HttpStatusCode.BadRequest, "ids");
        await SensorApiTests.AssertProblem(await client.PostJson($"/api/v1/citizens/{me}/notifications/read", new { upTo = "nonsense!" }), HttpStatusCode.BadRequest, "upTo");

        foreach (var stranger in new[] { followerClient, official, api.As(Roles.Official, "19774") })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync($"/api/v1/citizens/{me}/notifications")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync($"/api/v1/citizens/{me}/places")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostJson($"/api/v1/citizens/{me}/notifications/read", new { upTo = cursor })).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Anonymous.GetAsync($"/api/v1/citizens/{me}/notifications")).StatusCode);
    }
}
