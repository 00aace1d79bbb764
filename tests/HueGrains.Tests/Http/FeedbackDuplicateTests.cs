using System.Net;

namespace HueGrains.Tests.Http;

/// <summary>On submission, open reports of the same category within 50 m in the last 7 days; officials close duplicates.</summary>
[Collection(ApiCollection.Name)]
public class FeedbackDuplicateTests(ApiFixture api)
{
    private const string Commune = "19774";

    private static async Task<System.Text.Json.JsonElement> SubmitAsync(HttpClient client, string category, double lat, double lon)
    {
        var created = await client.PostJson("/api/v1/feedback", new { category, description = "Cây đổ chắn đường", commune = Commune, latitude = lat, longitude = lon });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return await created.Json();
    }

    private static string[] DuplicateIds(System.Text.Json.JsonElement view) =>
        [.. view.GetProperty("possibleDuplicates").EnumerateArray().Select(d => d.GetProperty("id").GetString()!)];

    [Fact]
    public async Task A_new_report_lists_open_reports_of_its_category_within_50_m_and_an_official_closes_it_as_a_duplicate()
    {
        // A spot of its own for this test: far from the positions other tests use.
        var (lat, lon) = (16.3 + Random.Shared.NextDouble() * 0.1, 107.3 + Random.Shared.NextDouble() * 0.1);
        var first = await SubmitAsync(api.As(Roles.Citizen, citizenId: Keys.NewCitizenId()), "traffic-infrastructure", lat, lon);
        var otherCategory = await SubmitAsync(api.As(Roles.Citizen, citizenId: Keys.NewCitizenId()), "environment-sanitation", lat, lon);
        var farther = await SubmitAsync(api.As(Roles.Citizen, citizenId: Keys.NewCitizenId()), "traffic-infrastructure", lat + 0.0009, lon); // ~100 m north
        Assert.Empty(DuplicateIds(first));

        var reporter = Keys.NewCitizenId();
        var second = await SubmitAsync(api.As(Roles.Citizen, citizenId: reporter), "traffic-infrastructure", lat + 0.00027, lon); // ~30 m north
        var firstId = first.GetProperty("id").GetString()!;
        Assert.Equal([firstId], DuplicateIds(second));
        Assert.DoesNotContain(otherCategory.GetProperty("id").GetString(), DuplicateIds(second));
        Assert.DoesNotContain(farther.GetProperty("id").GetString(), DuplicateIds(second));
        Assert.Equal(System.Text.Json.JsonValueKind.Null,
            (await (await api.As(Roles.Citizen, citizenId: Keys.NewCitizenId()).PostJson("/api/v1/feedback", new { category = "other", description = "x", commune = Commune })).Json())
            .GetProperty("possibleDuplicates").ValueKind);

        var secondId = second.GetProperty("id").GetString()!;
        var official = api.As(Roles.Official, Commune);
        await SensorApiTests.AssertProblem(await official.PostJson($"/api/v1/feedback/{secondId}/duplicate-of", new { }), HttpStatusCode.BadRequest, "original");
        await SensorApiTests.AssertProblem(await official.PostJson($"/api/v1/feedback/{secondId}/duplicate-of", new { original = secondId }), HttpStatusCode.BadRequest, "original");
        await SensorApiTests.AssertProblem(await official.PostJson($"/api/v1/feedback/{secondId}/duplicate-of", new { original = Keys.NewFeedbackId() }), HttpStatusCode.BadRequest, "original");
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Official, "19753").PostJson($"/api/v1/feedback/{secondId}/duplicate-of", new { original = firstId })).StatusCode);

        var closed = await (await official.PostJson($"/api/v1/feedback/{secondId}/duplicate-of", new { original = firstId })).Json();
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        Assert.Equal(firstId, closed.GetProperty("duplicateOf").GetString());
        Assert.Equal("duplicate", closed.GetProperty("history").EnumerateArray().Last().GetProperty("status").GetString());

        // A closed report is no longer anyone's possible duplicate; the duplicate's reporter now hears of the original.
        var third = await SubmitAsync(api.As(Roles.Citizen, citizenId: Keys.NewCitizenId()), "traffic-infrastructure", lat, lon + 0.0001);
        Assert.Equal([firstId], DuplicateIds(third).Where(id => id != third.GetProperty("id").GetString()));
        await official.PostJson($"/api/v1/feedback/{firstId}/status", new { status = "in-progress" });
        var inbox = await Eventually.Holds(
            async () => await (await api.As(Roles.Citizen, citizenId: reporter).GetAsync($"/api/v1/citizens/{reporter}/notifications")).Json(),
            page => page.GetProperty("items").EnumerateArray().Any(n => n.GetProperty("entityId").GetString() == firstId));
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(), n => n.GetProperty("kind").GetString() == "report-update");
    }
}
