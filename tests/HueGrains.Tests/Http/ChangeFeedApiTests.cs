using System.Net;
using System.Text.Json;

namespace HueGrains.Tests.Http;

/// <summary>The durable change feed (GET /api/v1/changes) in the embedded mode: order, visibility, paging, bad cursors.</summary>
[Collection(ApiCollection.Name)]
public class ChangeFeedApiTests(ApiFixture api)
{
    private static async Task<List<JsonElement>> ReadAllAsync(HttpClient client, string query, string after = "0")
    {
        var all = new List<JsonElement>();
        while (true)
        {
            var response = await client.GetAsync($"/api/v1/changes?after={after}&limit=50{query}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Json();
            var items = page.GetProperty("items").EnumerateArray().ToList();
            all.AddRange(items);
            var next = page.GetProperty("nextCursor").GetString()!;
            if (items.Count == 0) return all;
            Assert.True(long.Parse(next, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(after, System.Globalization.CultureInfo.InvariantCulture));
            after = next;
        }
    }

    private async Task<(string Citizen, HttpClient Me)> RegisterAsync(string home)
    {
        var id = Keys.NewCitizenId();
        var me = api.As(Roles.Citizen, citizenId: id);
        var nationalId = Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.Created, (await me.PostJson("/api/v1/citizens",
            new { fullName = "Lê Văn Tâm", dateOfBirth = "1979-05-06", nationalId, phone = "0905 111 222", homeCommune = home })).StatusCode);
        return (id, me);
    }

    [Fact]
    public async Task A_dossier_s_changes_reach_its_commune_s_officials_in_order_and_without_the_applicant()
    {
        const string commune = "19753";
        var (citizen, me) = await RegisterAsync(commune);
        var start = (await (await api.As(Roles.Operator).GetAsync("/api/v1/changes?after=0&limit=1")).Json()).GetProperty("nextCursor").GetString();
        var filed = await me.PostJson("/api/v1/cases", new { procedure = "temporary-residence", form = new { address = "5 Lê Lợi", stayUntil = "2027-06-30" } });
        var id = (await filed.Json()).GetProperty("id").GetString()!;
        var official = api.As(Roles.Official, commune);
        Assert.Equal(HttpStatusCode.OK, (await official.PostJson($"/api/v1/cases/{id}/status", new { status = "processing" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await official.PostJson($"/api/v1/cases/{id}/status", new { status = "refused", note = "Thiếu giấy tờ" })).StatusCode);

        var mine = (await ReadAllAsync(official, "&types=case", start!)).Where(c => c.GetProperty("id").GetString() == id).ToList();
        Assert.Equal(["received", "processing", "refused"], mine.Select(c => c.GetProperty("data").GetProperty("status").GetString()));
        Assert.Equal(mine.Select(c => c.GetProperty("version").GetInt64()).Order(), mine.Select(c => c.GetProperty("version").GetInt64()));
        Assert.All(mine, c => Assert.Equal(commune, c.GetProperty("commune").GetString()));
        Assert.All(mine, c => Assert.DoesNotContain(citizen, c.GetRawText()));

        // Another commune's official, a citizen and the public do not see it; asking for dossiers outright is refused.
        Assert.DoesNotContain(await ReadAllAsync(api.As(Roles.Official, "19774"), "", start!), c => c.GetProperty("id").GetString() == id);
        Assert.DoesNotContain(await ReadAllAsync(api.Anonymous, "", start!), c => c.GetProperty("type").GetString() == "case");
        Assert.Equal(HttpStatusCode.Forbidden, (await me.GetAsync("/api/v1/changes?types=case")).StatusCode);
        Assert.Contains(await ReadAllAsync(api.As(Roles.Leader), "&types=case", start!), c => c.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Reports_and_commune_indicators_are_public_changes_without_the_reporter()
    {
        const string commune = "19774";
        var (citizen, me) = await RegisterAsync(commune);
        var start = (await (await api.Anonymous.GetAsync("/api/v1/changes?after=0&limit=1")).Json()).GetProperty("nextCursor").GetString()!;
        var created = await me.PostJson("/api/v1/feedback", new { category = "traffic-infrastructure", description = "Ổ gà trước chợ", commune });
        var id = (await created.Json()).GetProperty("id").GetString()!;

        var report = Assert.Single(await ReadAllAsync(api.Anonymous, $"&types=feedback&commune={commune}", start), c => c.GetProperty("id").GetString() == id);
        Assert.Equal("traffic-infrastructure", report.GetProperty("data").GetProperty("category").GetString());
        Assert.DoesNotContain(citizen, report.GetRawText());
        // The commune's indicators follow within a few seconds (at most one indicator change per 5 s per commune).
        var leader = api.As(Roles.Leader);
        await Eventually.Holds(async () => string.Join(" ", (await ReadAllAsync(leader, $"&types=commune&commune={commune}", start))
                .Select(c => c.GetProperty("data").GetProperty("indicators").GetProperty("openFeedback").GetRawText())),
            changes => changes.Length > 0, TimeSpan.FromSeconds(20));
        Assert.Contains(await ReadAllAsync(api.Anonymous, "&types=commune", start), c => c.GetProperty("commune").GetString() == commune);
    }

    [Fact]
    public async Task An_alert_change_carries_the_level_it_left_so_its_end_is_seen()
    {
        var start = (await (await api.Anonymous.GetAsync("/api/v1/changes?after=0&limit=1")).Json()).GetProperty("nextCursor").GetString()!;
        var (gauge, device) = await api.GaugeAsync("19753");
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.Accepted, (await device.PostJson($"/api/v1/sensors/{gauge}/readings", new { at = now.AddSeconds(-2), value = 3.8 })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await device.PostJson($"/api/v1/sensors/{gauge}/readings", new { at = now.AddSeconds(-1), value = 0.4 })).StatusCode);

        var alerts = await Eventually.Holds(async () => (await ReadAllAsync(api.Anonymous, "&types=alert", start)).Where(c => c.GetProperty("id").GetString() == gauge).ToList(),
            a => a.Count >= 2, TimeSpan.FromSeconds(20));
        var (raised, cleared) = (alerts[0].GetProperty("data"), alerts[^1].GetProperty("data"));
        Assert.Equal(0, raised.GetProperty("previousAlertLevel").GetInt32());
        Assert.True(raised.GetProperty("alertLevel").GetInt32() > 0);
        Assert.Equal(0, cleared.GetProperty("alertLevel").GetInt32());
        Assert.Equal(raised.GetProperty("alertLevel").GetInt32(), cleared.GetProperty("previousAlertLevel").GetInt32());
        Assert.DoesNotContain("deviceKey", alerts[0].GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("after=abc", HttpStatusCode.BadRequest)]
    [InlineData("after=-1", HttpStatusCode.BadRequest)]
    [InlineData("after=999999999999", HttpStatusCode.Gone)]
    [InlineData("types=alert,gossip", HttpStatusCode.BadRequest)]
    [InlineData("types=,", HttpStatusCode.BadRequest)]
    [InlineData("commune=00001", HttpStatusCode.BadRequest)]
    [InlineData("limit=0", HttpStatusCode.BadRequest)]
    public async Task Bad_cursors_and_filters_are_problems(string query, HttpStatusCode status)
    {
        var response = await api.Anonymous.GetAsync($"/api/v1/changes?{query}");
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
