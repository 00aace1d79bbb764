using System.Text.Json;

namespace HueGrains.Tests.Http;

/// <summary>One disclosure rule on every public surface: a commune with a single report shows it to staff only.</summary>
[Collection(ApiCollection.Name)]
public class DisclosureApiTests(ApiFixture api)
{
    private static readonly string Commune = CityMap.Communes[38].Code; // no other test files here

    [Fact]
    public async Task A_count_of_one_is_withheld_from_the_public_everywhere_while_staff_see_it()
    {
        var citizen = Keys.NewCitizenId();
        var me = api.As(Roles.Citizen, citizenId: citizen);
        var filed = await me.PostJson("/api/v1/feedback", new { category = "urban-order", description = "Lấn chiếm vỉa hè", commune = Commune });
        Assert.Equal(System.Net.HttpStatusCode.Created, filed.StatusCode);
        var leader = api.As(Roles.Leader);
        await Eventually.Holds(async () => await (await leader.GetAsync($"/api/v1/communes/{Commune}")).Json(),
            c => c.GetProperty("indicators").GetProperty("openFeedback").GetInt32() == 1);
        // The city's copy follows a moment later (its list and its view): staff see the 1 there too before the public looks.
        await Eventually.Holds(async () => await (await leader.GetAsync("/api/v1/communes")).Json(),
            l => l.EnumerateArray().Single(c => c.GetProperty("code").GetString() == Commune).GetProperty("indicators").GetProperty("openFeedback").GetInt32() == 1);

        foreach (var caller in new[] { api.Anonymous, me })
        {
            var commune = await Eventually.Holds(async () => await (await caller.GetAsync($"/api/v1/communes/{Commune}")).Json(),
                c => c.GetProperty("indicators").GetProperty("openFeedback").ValueKind == JsonValueKind.Null, TimeSpan.FromSeconds(5));
            Assert.Equal(JsonValueKind.Null, commune.GetProperty("indicators").GetProperty("openFeedback").ValueKind);
            var line = (await (await caller.GetAsync("/api/v1/communes")).Json()).EnumerateArray().Single(c => c.GetProperty("code").GetString() == Commune);
            Assert.Equal(JsonValueKind.Null, line.GetProperty("indicators").GetProperty("openFeedback").ValueKind);
            var city = await (await caller.GetAsync("/api/v1/city")).Json();
            var inCity = city.GetProperty("communes").EnumerateArray().Single(c => c.GetProperty("code").GetString() == Commune);
            Assert.Equal(JsonValueKind.Null, inCity.GetProperty("indicators").GetProperty("openFeedback").ValueKind);
            // Every public count is 0, withheld, or a multiple of 5: the city total minus the others never gives 1 back.
            var total = city.GetProperty("indicators").GetProperty("openFeedback");
            Assert.True(total.ValueKind == JsonValueKind.Null || total.GetDouble() % 5 == 0, total.ToString());
        }
        Assert.Equal(1, (await (await leader.GetAsync("/api/v1/communes")).Json()).EnumerateArray()
            .Single(c => c.GetProperty("code").GetString() == Commune).GetProperty("indicators").GetProperty("openFeedback").GetInt32());

        // The per-minute history (samples every second in this fixture) and the live feed follow the same rule.
        var history = await Eventually.Holds(async () => await (await api.Anonymous.GetAsync(
                $"/api/v1/communes/{Commune}/history?indicator=openFeedback&bucket=raw&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"))}")).Json(),
            h => h.GetProperty("points").GetArrayLength() > 0);
        Assert.All(history.GetProperty("points").EnumerateArray(), p => Assert.NotEqual(1, p.GetProperty("last").ValueKind == JsonValueKind.Number ? p.GetProperty("last").GetDouble() : 0));
        var staffHistory = await Eventually.Holds(async () => await (await leader.GetAsync(
                $"/api/v1/communes/{Commune}/history?indicator=openFeedback&bucket=raw&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"))}")).Json(),
            h => h.GetProperty("points").EnumerateArray().Any(p => p.GetProperty("last").ValueKind == JsonValueKind.Number && p.GetProperty("last").GetDouble() == 1));
        Assert.NotNull(staffHistory.ToString());

        // The node's live feed sees the city a moment after the city changed: a snapshot still showing 0 is not yet the report.
        var data = await Eventually.Holds(async () =>
            {
                using var live = await SseClient.ConnectAsync(api.Anonymous, $"/api/v1/live?commune={Commune}");
                return JsonDocument.Parse((await live.NextAsync()).Data).RootElement.GetProperty("commune").GetProperty("indicators").GetProperty("openFeedback").Clone();
            },
            count => count.ValueKind != JsonValueKind.Number || count.GetDouble() != 0);
        Assert.Equal(JsonValueKind.Null, data.ValueKind);
    }
}
