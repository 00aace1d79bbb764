using System.Net;
using System.Text.Json;
using System.Xml.Linq;

namespace HueGrains.Tests.Http;

/// <summary>The flow of an off-the-shelf GeoReport v2 client: discovery, services, a form-encoded POST, lookups and filters.</summary>
[Collection(ApiCollection.Name)]
public class Open311Tests(ApiFixture api)
{
    private const string Base = "/open311/v2";

    private static Task<HttpResponseMessage> PostRequest(HttpClient client, Dictionary<string, string> fields) =>
        client.PostAsync($"{Base}/requests.json", new FormUrlEncodedContent(fields));

    private Dictionary<string, string> Fields(string serviceCode, string description, params (string Key, string Value)[] more)
    {
        var fields = new Dictionary<string, string> { ["api_key"] = api.Open311Key, ["service_code"] = serviceCode, ["description"] = description };
        foreach (var (key, value) in more) fields[key] = value;
        return fields;
    }

    [Fact]
    public async Task A_GeoReport_client_lists_services_posts_a_request_and_finds_it_by_id_and_by_filters()
    {
        var client = api.Anonymous;
        var discovery = await (await client.GetAsync($"{Base}/discovery.json")).Json();
        Assert.Equal("http://wiki.open311.org/GeoReport_v2", discovery.GetProperty("endpoints")[0].GetProperty("specification").GetString());

        var services = (await (await client.GetAsync($"{Base}/services.json")).Json()).EnumerateArray().ToList();
        Assert.Equal(6, services.Count);
        var sanitation = services.Single(s => s.GetProperty("service_code").GetString() == "environment-sanitation");
        Assert.Equal("Môi trường, vệ sinh", sanitation.GetProperty("service_name").GetString());
        Assert.False(sanitation.GetProperty("metadata").GetBoolean());
        Assert.Equal("realtime", sanitation.GetProperty("type").GetString());
        var definition = await (await client.GetAsync($"{Base}/services/environment-sanitation.json")).Json();
        Assert.Equal("environment-sanitation", definition.GetProperty("service_code").GetString());

        var posted = await PostRequest(client, Fields("environment-sanitation", "Rác thải đổ trộm bên bờ sông Như Ý",
            ("lat", "16.4637"), ("long", "107.5909"), ("address_string", "Bờ sông Như Ý"), ("address_id", "19777"),
            ("media_url", "https://example.org/photos/1.jpg"), ("email", "someone@example.org"), ("first_name", "Lan"), ("phone", "0905999888")));
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var created = (await posted.Json())[0];
        var id = created.GetProperty("service_request_id").GetString()!;
        Assert.Contains("48", created.GetProperty("service_notice").GetString(), StringComparison.Ordinal);

        var byId = (await (await client.GetAsync($"{Base}/requests/{id}.json")).Json())[0];
        Assert.Equal("open", byId.GetProperty("status").GetString());
        Assert.Equal("environment-sanitation", byId.GetProperty("service_code").GetString());
        Assert.Equal("Phường Vỹ Dạ", byId.GetProperty("agency_responsible").GetString());
        Assert.Equal(16.4637, byId.GetProperty("lat").GetDouble());
        Assert.Equal("https://example.org/photos/1.jpg", byId.GetProperty("media_url").GetString());
        Assert.EndsWith("+07:00", byId.GetProperty("requested_datetime").GetString(), StringComparison.Ordinal);
        var text = byId.GetRawText();
        foreach (var personal in new[] { "someone@example.org", "Lan", "0905999888" }) Assert.DoesNotContain(personal, text, StringComparison.Ordinal);

        var token = (await (await client.GetAsync($"{Base}/tokens/{id}.json")).Json())[0];
        Assert.Equal(id, token.GetProperty("service_request_id").GetString());

        // The commune answers; the request closes with the official answer as status_notes.
        var official = api.As(Roles.Official, "19777");
        Assert.Equal(HttpStatusCode.OK, (await official.PostJson($"/api/v1/feedback/{id}/status", new { status = "resolved", answer = "Đã thu gom rác" })).StatusCode);
        var closed = (await (await client.GetAsync($"{Base}/requests/{id}.json")).Json())[0];
        Assert.Equal(("closed", "Đã thu gom rác"), (closed.GetProperty("status").GetString(), closed.GetProperty("status_notes").GetString()));

        var other = (await (await PostRequest(client, Fields("traffic-infrastructure", "Ổ gà trên đường Lê Duẩn", ("address_id", "19777")))).Json())[0]
            .GetProperty("service_request_id").GetString()!;

        async Task<List<string>> Ids(string query) =>
            [.. (await Eventually.Holds(async () => await (await client.GetAsync($"{Base}/requests.json?{query}")).Json(), _ => true))
                .EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()!)];
        await Eventually.Holds(() => Ids("service_code=traffic-infrastructure"), ids => ids.Contains(other));
        Assert.Contains(id, await Ids("service_code=environment-sanitation&status=closed"));
        Assert.DoesNotContain(other, await Ids("service_code=environment-sanitation"));
        Assert.DoesNotContain(id, await Ids("status=open"));
        Assert.Contains(other, await Ids("service_code=environment-sanitation,traffic-infrastructure&status=open"));
        var today = DateTimeOffset.UtcNow;
        Assert.Contains(id, await Ids($"start_date={Uri.EscapeDataString(today.AddHours(-1).ToString("O"))}&end_date={Uri.EscapeDataString(today.AddHours(1).ToString("O"))}"));
        Assert.Empty(await Ids($"start_date={Uri.EscapeDataString(today.AddDays(-10).ToString("O"))}&end_date={Uri.EscapeDataString(today.AddDays(-9).ToString("O"))}"));
        Assert.Equal(new[] { id, other }.Order(), (await Ids($"service_request_id={id},{other}")).Order());
    }

    [Fact]
    public async Task Xml_is_served_too_and_errors_are_GeoReport_error_lists()
    {
        var client = api.Anonymous;
        var services = XElement.Parse(await client.GetStringAsync($"{Base}/services.xml"));
        Assert.Equal("services", services.Name.LocalName);
        Assert.Equal(6, services.Elements("service").Count());

        var wrongKey = await PostRequest(client, new Dictionary<string, string> { ["api_key"] = "nope", ["service_code"] = "other", ["description"] = "x", ["address_id"] = "19777" });
        await AssertErrors(wrongKey, HttpStatusCode.Forbidden);
        await AssertErrors(await PostRequest(client, Fields("gossip", "x", ("address_id", "19777"))), HttpStatusCode.BadRequest);
        await AssertErrors(await PostRequest(client, Fields("other", "Không có vị trí")), HttpStatusCode.BadRequest);
        await AssertErrors(await PostRequest(client, Fields("other", "x", ("lat", "north"), ("long", "107.5"))), HttpStatusCode.BadRequest);
        await AssertErrors(await PostRequest(client, Fields("other", "", ("address_id", "19777"))), HttpStatusCode.BadRequest);
        await AssertErrors(await client.GetAsync($"{Base}/requests/fb-{Guid.NewGuid():N}.json"), HttpStatusCode.NotFound);
        await AssertErrors(await client.GetAsync($"{Base}/services/gossip.json"), HttpStatusCode.NotFound);
        await AssertErrors(await client.GetAsync($"{Base}/requests.json?start_date=yesterday"), HttpStatusCode.BadRequest);
        await AssertErrors(await client.GetAsync($"{Base}/requests.json?status=pending"), HttpStatusCode.BadRequest);

        var xmlError = XElement.Parse(await (await client.GetAsync($"{Base}/services/gossip.xml")).Content.ReadAsStringAsync());
        Assert.Equal("404", xmlError.Element("error")?.Element("code")?.Value);
    }

    [Fact]
    public async Task A_report_with_a_position_the_city_cannot_place_waits_in_triage_until_the_city_routes_it()
    {
        // Ho Chi Minh City: in Vietnam, far from every commune of Huế, so no boundary or centroid places it (GeoApiTests).
        var posted = await PostRequest(api.Anonymous, Fields("urban-order", "Lấn chiếm vỉa hè", ("lat", "10.7769"), ("long", "106.7009")));
        var id = (await posted.Json())[0].GetProperty("service_request_id").GetString()!;
        var waiting = await (await api.As(Roles.Operator).GetAsync("/api/v1/feedback-triage")).Json();
        Assert.Contains(waiting.EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        Assert.Contains("HueIOC", (await (await api.Anonymous.GetAsync($"{Base}/requests/{id}.json")).Json())[0].GetProperty("agency_responsible").GetString(), StringComparison.Ordinal);
        Assert.Contains(id, (await (await api.Anonymous.GetAsync($"{Base}/requests.json?service_code=urban-order")).Json())
            .EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()));

        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Official, "19774").PostJson($"/api/v1/feedback/{id}/route", new { commune = "19774" })).StatusCode);
        var routed = await api.As(Roles.Operator).PostJson($"/api/v1/feedback/{id}/route", new { commune = "19774" });
        Assert.Equal(HttpStatusCode.OK, routed.StatusCode);
        Assert.Equal("manual", (await routed.Json()).GetProperty("report").GetProperty("routing").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await api.As(Roles.Operator).PostJson($"/api/v1/feedback/{id}/route", new { commune = "19753" })).StatusCode);
        Assert.DoesNotContain((await (await api.As(Roles.Operator).GetAsync("/api/v1/feedback-triage")).Json()).EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        await Eventually.Holds(async () => await (await api.As(Roles.Official, "19774").GetAsync("/api/v1/communes/19774/feedback?open=true")).Json(),
            l => l.GetProperty("items").EnumerateArray().Any(r => r.GetProperty("id").GetString() == id));
    }

    private static async Task AssertErrors(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JsonValueKind.Array, errors.ValueKind);
        Assert.Equal((int)status, errors[0].GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(errors[0].GetProperty("description").GetString()));
    }
}
