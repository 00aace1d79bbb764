using System.Net;
using System.Text.Json;
using Microsoft.Kiota.Abstractions;
using Wire = HueGrains.Client.Models;

namespace HueGrains.Tests.Http;

/// <summary>
/// The durable change feed (GET /api/v1/changes) in the embedded mode: order, visibility, paging, bad cursors. Read
/// through HueGrains.Client, the generated client API clients use.
/// </summary>
[Collection(ApiCollection.Name)]
public class ChangeFeedApiTests(ApiFixture api)
{
    /// <summary>Every change after a cursor, page by page (50 a page) as a client follows the feed.</summary>
    private static async Task<List<Wire.ChangeItem>> ReadAllAsync(HttpClient client, string? types = null, string? commune = null, string after = "0")
    {
        var feed = ApiFixture.Typed(client).Api.V1.Changes;
        var all = new List<Wire.ChangeItem>();
        while (true)
        {
            var page = (await feed.GetAsync(r => (r.QueryParameters.After, r.QueryParameters.Limit, r.QueryParameters.Types, r.QueryParameters.Commune) = (after, 50, types, commune)))!;
            all.AddRange(page.Items!);
            if (page.Items!.Count == 0) return all;
            Assert.True(long.Parse(page.NextCursor!, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(after, System.Globalization.CultureInfo.InvariantCulture));
            after = page.NextCursor!;
        }
    }

    /// <summary>The cursor of the newest change now: where a test starts reading.</summary>
    private static async Task<string> HeadAsync(HttpClient client) =>
        (await ApiFixture.Typed(client).Api.V1.Changes.GetAsync(r => (r.QueryParameters.After, r.QueryParameters.Limit) = ("0", 1)))!.NextCursor!;

    /// <summary>A change's public snapshot (free-form JSON in the document) and the whole change as JSON.</summary>
    private static JsonElement DataOf(Wire.ChangeItem change) => JsonDocument.Parse(change.Data!.ToJson()).RootElement.Clone();

    private static string RawOf(Wire.ChangeItem change) => change.ToJson();

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
        var start = await HeadAsync(api.As(Roles.Operator));
        var filed = await me.PostJson("/api/v1/cases", new { procedure = "temporary-residence", form = new { address = "5 Lê Lợi", stayUntil = "2027-06-30" } });
        var id = (await filed.Json()).GetProperty("id").GetString()!;
        var official = api.As(Roles.Official, commune);
        Assert.Equal(HttpStatusCode.OK, (await official.PostJson($"/api/v1/cases/{id}/status", new { status = "processing" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await official.PostJson($"/api/v1/cases/{id}/status", new { status = "refused", note = "Thiếu giấy tờ" })).StatusCode);

        var mine = (await ReadAllAsync(official, types: "case", after: start)).Where(c => c.Id == id).ToList();
        Assert.Equal(["received", "processing", "refused"], mine.Select(c => DataOf(c).GetProperty("status").GetString()));
        Assert.Equal(mine.Select(c => c.Version).Order(), mine.Select(c => c.Version));
        Assert.All(mine, c => Assert.Equal(commune, c.Commune));
        Assert.All(mine, c => Assert.DoesNotContain(citizen, RawOf(c)));

        // Another commune's official, a citizen and the public do not see it; asking for dossiers outright is refused.
        Assert.DoesNotContain(await ReadAllAsync(api.As(Roles.Official, "19774"), after: start), c => c.Id == id);
        Assert.DoesNotContain(await ReadAllAsync(api.Anonymous, after: start), c => c.Type == "case");
        var refused = await Assert.ThrowsAsync<Wire.ProblemDetails>(() => ApiFixture.Typed(me).Api.V1.Changes.GetAsync(r => r.QueryParameters.Types = "case"));
        Assert.Equal((int)HttpStatusCode.Forbidden, refused.ResponseStatusCode);
        Assert.Equal(403, refused.Status);
        Assert.Contains(await ReadAllAsync(api.As(Roles.Leader), types: "case", after: start), c => c.Id == id);
    }

    [Fact]
    public async Task Reports_and_commune_indicators_are_public_changes_without_the_reporter()
    {
        const string commune = "19774";
        var (citizen, me) = await RegisterAsync(commune);
        var start = await HeadAsync(api.Anonymous);
        var created = await me.PostJson("/api/v1/feedback", new { category = "traffic-infrastructure", description = "Ổ gà trước chợ", commune });
        var id = (await created.Json()).GetProperty("id").GetString()!;

        var report = Assert.Single(await ReadAllAsync(api.Anonymous, types: "feedback", commune: commune, after: start), c => c.Id == id);
        Assert.Equal("traffic-infrastructure", DataOf(report).GetProperty("category").GetString());
        Assert.DoesNotContain(citizen, RawOf(report));
        // The commune's indicators follow within a few seconds (at most one indicator change per 5 s per commune).
        var leader = api.As(Roles.Leader);
        await Eventually.Holds(async () => string.Join(" ", (await ReadAllAsync(leader, types: "commune", commune: commune, after: start))
                .Select(c => DataOf(c).GetProperty("indicators").GetProperty("openFeedback").GetRawText())),
            changes => changes.Length > 0, TimeSpan.FromSeconds(20));
        Assert.Contains(await ReadAllAsync(api.Anonymous, types: "commune", after: start), c => c.Commune == commune);
    }

    [Fact]
    public async Task An_alert_change_carries_the_level_it_left_so_its_end_is_seen()
    {
        var start = await HeadAsync(api.Anonymous);
        var (gauge, device) = await api.GaugeAsync("19753");
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.Accepted, (await device.PostJson($"/api/v1/sensors/{gauge}/readings", new { at = now.AddSeconds(-2), value = 3.8 })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await device.PostJson($"/api/v1/sensors/{gauge}/readings", new { at = now.AddSeconds(-1), value = 0.4 })).StatusCode);

        var alerts = await Eventually.Holds(async () => (await ReadAllAsync(api.Anonymous, types: "alert", after: start)).Where(c => c.Id == gauge).ToList(),
            a => a.Count >= 2, TimeSpan.FromSeconds(20));
        var (raised, cleared) = (DataOf(alerts[0]), DataOf(alerts[^1]));
        Assert.Equal(0, raised.GetProperty("previousAlertLevel").GetInt32());
        Assert.True(raised.GetProperty("alertLevel").GetInt32() > 0);
        Assert.Equal(0, cleared.GetProperty("alertLevel").GetInt32());
        Assert.Equal(raised.GetProperty("alertLevel").GetInt32(), cleared.GetProperty("previousAlertLevel").GetInt32());
        Assert.DoesNotContain("deviceKey", RawOf(alerts[0]), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("after", "abc", HttpStatusCode.BadRequest)]
    [InlineData("after", "-1", HttpStatusCode.BadRequest)]
    [InlineData("after", "999999999999", HttpStatusCode.Gone)]
    [InlineData("types", "alert,gossip", HttpStatusCode.BadRequest)]
    [InlineData("types", ",", HttpStatusCode.BadRequest)]
    [InlineData("commune", "00001", HttpStatusCode.BadRequest)]
    [InlineData("limit", "0", HttpStatusCode.BadRequest)]
    public async Task Bad_cursors_and_filters_are_problems(string field, string value, HttpStatusCode status)
    {
        var problem = await Assert.ThrowsAnyAsync<ApiException>(() => ApiFixture.Typed(api.Anonymous).Api.V1.Changes.GetAsync(r =>
        {
            var query = r.QueryParameters;
            if (field == "limit") query.Limit = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            else if (field == "after") query.After = value;
            else if (field == "types") query.Types = value;
            else query.Commune = value;
        }));
        Assert.Equal((int)status, problem.ResponseStatusCode);
        if (status == HttpStatusCode.BadRequest)
        {
            // A validation problem naming the field.
            var validation = Assert.IsType<Wire.HttpValidationProblemDetails>(problem);
            Assert.Equal(400, validation.Status);
            Assert.Contains(field, validation.Errors!.AdditionalData.Keys);
        }
        else
        {
            var gone = Assert.IsType<Wire.ProblemDetails>(problem);
            Assert.Equal(("Cursor expired.", 410), (gone.Title, gone.Status));
        }
    }
}
