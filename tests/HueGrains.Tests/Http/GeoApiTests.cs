using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HueGrains.Api.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace HueGrains.Tests.Http;

/// <summary>
/// A platform of its own (embedded mode) for boundaries: they are city-wide, and the squares loaded here must not move
/// the reports of other test classes. The PostgreSQL twin of the routing test is GeoRoutingTests (integration tests).
/// </summary>
public sealed class GeoPlatformFixture : IAsyncLifetime
{
    public HueAuthOptions Auth { get; } = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };

    public WebApplication App { get; private set; } = null!;

    public const string Open311Key = "geo-open311-key";

    public async Task InitializeAsync() => App = await TestPlatform.StartAsync(new()
    {
        ["Hue:Auth:SigningKey"] = Auth.SigningKey,
        ["Hue:Mqtt:Enabled"] = "false",
        ["Hue:Open311:ApiKeys:0"] = Open311Key,
        ["Hue:RateLimit:PermitsPerSecond"] = "1000000",
        ["Hue:RateLimit:Burst"] = "1000000",
    });

    public HttpClient As(string? role = null, string? citizenId = null)
    {
        var client = App.GetTestClient();
        if (role is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenIssuer.Issue(Auth, role, null, citizenId));
        return client;
    }

    public Task DisposeAsync() => TestPlatform.StopAsync(App);
}

/// <summary>Two synthetic adjacent squares in central Huế, the boundaries the routing tests load in both modes.</summary>
public static class SyntheticSquares
{
    public const string West = "19753", East = "19789"; // Phú Xuân | Thuận Hóa, sharing the meridian 107.58

    public static string Square(double minLon, double minLat, double maxLon, double maxLat) => JsonSerializer.Serialize(new
    {
        type = "Polygon",
        coordinates = new[] { new[] { new[] { minLon, minLat }, [maxLon, minLat], [maxLon, maxLat], [minLon, maxLat], [minLon, minLat] } },
    });

    public static readonly string WestSquare = Square(107.56, 16.46, 107.58, 16.48);
    public static readonly string EastSquare = Square(107.58, 16.46, 107.60, 16.48);
}

[Collection(ApiCollection.Name)] // hosts in one process share meter names: run beside the API fixture's tests, not during them
public class GeoApiTests(GeoPlatformFixture geo) : IClassFixture<GeoPlatformFixture>
{
    private const string Base = "/open311/v2";

    private static StringContent GeoJson(string body) => new(body, Encoding.UTF8, "application/geo+json");

    private async Task<HttpResponseMessage> PutBoundary(string commune, string body, string role = Roles.Operator) =>
        await geo.As(role).PutAsync($"/api/v1/communes/{commune}/boundary", GeoJson(body));

    private async Task LoadSquaresAsync()
    {
        Assert.Equal(HttpStatusCode.OK, (await PutBoundary(SyntheticSquares.West, SyntheticSquares.WestSquare)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutBoundary(SyntheticSquares.East, SyntheticSquares.EastSquare)).StatusCode);
    }

    private async Task<JsonElement> ReportAsync(double lat, double lon, string? commune = null)
    {
        var citizen = $"c-{Guid.NewGuid():N}";
        var response = await geo.As(Roles.Citizen, citizen).PostJson("/api/v1/feedback",
            new { category = "urban-order", description = "Ổ gà / pothole", commune, latitude = lat, longitude = lon });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Json();
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string field, string? says = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for '{field}': {errors}");
        if (says is not null) Assert.Contains(says, messages[0].GetString()!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_pin_in_each_square_is_routed_by_boundary_a_pin_far_outside_or_on_the_shared_edge_waits_in_triage()
    {
        await LoadSquaresAsync();

        var west = await ReportAsync(16.47, 107.57);
        Assert.Equal(SyntheticSquares.West, west.GetProperty("report").GetProperty("commune").GetString());
        Assert.Equal("boundary", west.GetProperty("report").GetProperty("routing").GetString());
        var east = await ReportAsync(16.47, 107.59);
        Assert.Equal(SyntheticSquares.East, east.GetProperty("report").GetProperty("commune").GetString());
        Assert.Equal("boundary", east.GetProperty("report").GetProperty("routing").GetString());

        // Kim Long has no boundary here: its approximate centroid (16.46, 107.546) is the nearest.
        var approximate = await ReportAsync(16.455, 107.545);
        Assert.Equal("19774", approximate.GetProperty("report").GetProperty("commune").GetString());
        Assert.Equal("approximate", approximate.GetProperty("report").GetProperty("routing").GetString());

        // Given by the reporter: kept as given, no routing flag, even inside another commune's square.
        var given = await ReportAsync(16.47, 107.59, commune: "19774");
        Assert.Equal("19774", given.GetProperty("report").GetProperty("commune").GetString());
        Assert.Equal(JsonValueKind.Null, given.GetProperty("report").GetProperty("routing").ValueKind);

        var far = await ReportAsync(10.7769, 106.7009); // Ho Chi Minh City: on no boundary, 600 km from any centroid
        var edge = await ReportAsync(16.47, 107.58);    // on the shared edge: ambiguous
        foreach (var waiting in new[] { far, edge })
        {
            Assert.Equal(JsonValueKind.Null, waiting.GetProperty("report").GetProperty("commune").ValueKind);
            Assert.Equal(JsonValueKind.Null, waiting.GetProperty("report").GetProperty("routing").ValueKind);
        }
        var triage = (await (await geo.As(Roles.Operator).GetAsync("/api/v1/feedback-triage")).Json()).EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Contains(far.GetProperty("id").GetString(), triage);
        Assert.Contains(edge.GetProperty("id").GetString(), triage);
        Assert.DoesNotContain(west.GetProperty("id").GetString(), triage);
        Assert.DoesNotContain(approximate.GetProperty("id").GetString(), triage);

        // Open311 takes lat/long too and routes the same way.
        var posted = await geo.As().PostAsync($"{Base}/requests.json", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["api_key"] = GeoPlatformFixture.Open311Key, ["service_code"] = "urban-order", ["description"] = "Rác", ["lat"] = "16.465", ["long"] = "107.595",
        }));
        var id = (await posted.Json())[0].GetProperty("service_request_id").GetString();
        Assert.Equal(SyntheticSquares.East, (await (await geo.As().GetAsync($"{Base}/requests/{id}.json")).Json())[0].GetProperty("address_id").GetString());
    }

    [Fact]
    public async Task Boundaries_are_served_as_GeoJSON_and_the_map_has_40_communes_with_centroids_marked_approximate()
    {
        await LoadSquaresAsync();
        var put = await PutBoundary(SyntheticSquares.West, $$"""{"type":"Feature","properties":{"source":"test"},"geometry":{{SyntheticSquares.WestSquare}}}""");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("application/geo+json", put.Content.Headers.ContentType?.MediaType);

        var boundary = await geo.As().GetAsync($"/api/v1/communes/{SyntheticSquares.West}/boundary");
        Assert.Equal(HttpStatusCode.OK, boundary.StatusCode);
        Assert.Equal("application/geo+json", boundary.Content.Headers.ContentType?.MediaType);
        var feature = await boundary.Json();
        Assert.Equal("Polygon", feature.GetProperty("geometry").GetProperty("type").GetString());
        Assert.Equal(107.56, feature.GetProperty("geometry").GetProperty("coordinates")[0][0][0].GetDouble());

        var none = await geo.As().GetAsync("/api/v1/communes/20050/boundary");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await geo.As().GetAsync("/api/v1/communes/99999/boundary")).StatusCode);

        var map = await geo.As().GetAsync("/api/v1/communes.geojson");
        Assert.Equal("application/geo+json", map.Content.Headers.ContentType?.MediaType);
        var features = (await map.Json()).GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(40, features.Count);
        var west = features.Single(f => f.GetProperty("id").GetString() == SyntheticSquares.West);
        Assert.Equal("Polygon", west.GetProperty("geometry").GetProperty("type").GetString());
        Assert.False(west.GetProperty("properties").GetProperty("approximate").GetBoolean());
        var kimLong = features.Single(f => f.GetProperty("id").GetString() == "19774");
        Assert.Equal("Point", kimLong.GetProperty("geometry").GetProperty("type").GetString());
        Assert.True(kimLong.GetProperty("properties").GetProperty("approximate").GetBoolean());
        Assert.Equal("Kim Long", kimLong.GetProperty("properties").GetProperty("name").GetString());
        Assert.True(kimLong.GetProperty("properties").GetProperty("indicators").TryGetProperty("floodAlertLevel", out _));
    }

    /// <summary>Chân Mây - Lăng Cô, far from every other test's positions: its boundary moves nobody else's reports.</summary>
    private const string LangCo = "20137";

    private async Task<byte[]> MapBytesAsync()
    {
        var map = await geo.As().GetAsync("/api/v1/communes.geojson");
        Assert.Equal(HttpStatusCode.OK, map.StatusCode);
        return await map.Content.ReadAsByteArrayAsync();
    }

    private static System.Text.Json.Nodes.JsonNode GeometryOf(byte[] map, string commune) =>
        System.Text.Json.Nodes.JsonNode.Parse(map)!["features"]!.AsArray().Single(f => (string?)f!["id"] == commune)!["geometry"]!;

    [Fact]
    public async Task The_map_answers_the_same_bytes_twice_and_exactly_what_serialising_it_as_one_tree_gives()
    {
        // Coordinates with many digits and a Feature wrapper: the stored geometry keeps its number text as given.
        const string outline = """{"type":"Feature","properties":{"source":"test"},"geometry":{"type":"Polygon","coordinates":[[[108.0212345678,16.2400001],[108.04,16.24],[108.04,16.26],[108.0212345678,16.26],[108.0212345678,16.2400001]]]}}""";
        Assert.Equal(HttpStatusCode.OK, (await PutBoundary(LangCo, outline)).StatusCode);

        var first = await MapBytesAsync();
        var second = await MapBytesAsync();
        Assert.Equal(first, second);
        // What the map wrote before its boundaries were cached: the whole document as one JSON tree, each boundary parsed
        // into it and each updatedAt a DateTimeOffset value (written unescaped, unlike a parsed string), serialised.
        var tree = System.Text.Json.Nodes.JsonNode.Parse(first)!;
        foreach (var feature in tree["features"]!.AsArray())
        {
            if (feature!["properties"]!["updatedAt"] is { } at)
                feature["properties"]!["updatedAt"] = System.Text.Json.Nodes.JsonValue.Create(DateTimeOffset.Parse((string)at!, System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(tree)), Encoding.UTF8.GetString(first));
        var stored = (await (await geo.As().GetAsync($"/api/v1/communes/{LangCo}/boundary")).Json()).GetProperty("geometry").GetRawText();
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(stored), GeometryOf(first, LangCo)));
        Assert.Contains("108.0212345678", Encoding.UTF8.GetString(first), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_boundary_put_again_shows_on_the_map_at_once()
    {
        var before = SyntheticSquares.Square(108.02, 16.24, 108.04, 16.26);
        var after = SyntheticSquares.Square(108.01, 16.23, 108.05, 16.27);
        Assert.Equal(HttpStatusCode.OK, (await PutBoundary(LangCo, before)).StatusCode);
        Assert.Equal(108.02, (double)GeometryOf(await MapBytesAsync(), LangCo)["coordinates"]![0]![0]![0]!);

        Assert.Equal(HttpStatusCode.OK, (await PutBoundary(LangCo, after)).StatusCode);
        var map = await MapBytesAsync();
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(after), GeometryOf(map, LangCo)), Encoding.UTF8.GetString(map));
        Assert.Equal(HttpStatusCode.OK, (await PutBoundary(LangCo, before)).StatusCode);
        Assert.Equal(108.02, (double)GeometryOf(await MapBytesAsync(), LangCo)["coordinates"]![0]![0]![0]!);
    }

    [Fact]
    public async Task Bad_boundaries_are_400_naming_the_field_and_only_operators_load_them()
    {
        const string bowtie = """{"type":"Polygon","coordinates":[[[107.56,16.46],[107.58,16.48],[107.58,16.46],[107.56,16.48],[107.56,16.46]]]}""";
        await AssertProblem(await PutBoundary("19774", bowtie), HttpStatusCode.BadRequest, "coordinates", "Self-intersection");
        await AssertProblem(await PutBoundary("19774", $$"""{"type":"Feature","geometry":{{bowtie}}}"""), HttpStatusCode.BadRequest, "geometry.coordinates", "Self-intersection");
        const string open = """{"type":"Polygon","coordinates":[[[107.56,16.46],[107.58,16.46],[107.58,16.48],[107.56,16.48]]]}""";
        await AssertProblem(await PutBoundary("19774", open), HttpStatusCode.BadRequest, "coordinates[0]", "closed");
        var swapped = SyntheticSquares.Square(16.46, 107.56, 16.48, 107.58); // [lat, lon] positions
        await AssertProblem(await PutBoundary("19774", swapped), HttpStatusCode.BadRequest, "coordinates[0][0]", "swapped");
        await AssertProblem(await PutBoundary("19774", SyntheticSquares.Square(2.29, 48.85, 2.30, 48.86)), HttpStatusCode.BadRequest, "coordinates[0][0]", "outside Vietnam");
        await AssertProblem(await PutBoundary("19774", """{"type":"LineString","coordinates":[[107.56,16.46],[107.58,16.46]]}"""), HttpStatusCode.BadRequest, "type");
        await AssertProblem(await PutBoundary("19774", "{not json"), HttpStatusCode.BadRequest, "body");

        Assert.Equal(HttpStatusCode.Forbidden, (await PutBoundary("19774", SyntheticSquares.WestSquare, Roles.Leader)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await geo.As().PutAsync("/api/v1/communes/19774/boundary", GeoJson(SyntheticSquares.WestSquare))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PutBoundary("99999", SyntheticSquares.WestSquare)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await geo.As().GetAsync("/api/v1/communes/19774/boundary")).StatusCode); // nothing stored
    }

    [Fact]
    public async Task A_sensor_outside_its_communes_boundary_is_provisioned_with_a_warning()
    {
        await LoadSquaresAsync();
        var outside = await (await geo.As(Roles.Operator).PutJson($"/api/v1/sensors/t-{Guid.NewGuid():N}",
            new { kind = "water-level", unit = "m", commune = SyntheticSquares.West, latitude = 16.47, longitude = 107.59 })).Json();
        Assert.Contains("outside the boundary", outside.GetProperty("warning").GetString(), StringComparison.Ordinal);
        var inside = await (await geo.As(Roles.Operator).PutJson($"/api/v1/sensors/t-{Guid.NewGuid():N}",
            new { kind = "water-level", unit = "m", commune = SyntheticSquares.West, latitude = 16.47, longitude = 107.57 })).Json();
        Assert.False(inside.TryGetProperty("warning", out _));
        var id = outside.GetProperty("id").GetString();
        Assert.Contains("outside", (await (await geo.As().GetAsync($"/api/v1/sensors/{id}")).Json()).GetProperty("warning").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sensors_reports_alerts_and_Open311_requests_answer_near_and_bbox_in_JSON_or_GeoJSON()
    {
        // In A Lưới, away from every other test's items: two gauges 300 m apart and one 5 km away; a report beside the first.
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (nearId, besideId, farId) = ($"geo-a-{tag}", $"geo-b-{tag}", $"geo-c-{tag}");
        var operatorClient = geo.As(Roles.Operator);
        var keys = new Dictionary<string, string>();
        foreach (var (id, lat, lon) in new[] { (nearId, 16.2700, 107.2300), (besideId, 16.2727, 107.2300), (farId, 16.3150, 107.2300) })
        {
            var created = await (await operatorClient.PutJson($"/api/v1/sensors/{id}", new { kind = "water-level", unit = "m", commune = "20044", latitude = lat, longitude = lon })).Json();
            keys[id] = created.GetProperty("deviceKey").GetString()!;
        }
        var report = (await ReportAsync(16.2705, 107.2305)).GetProperty("id").GetString();

        var near = await (await geo.As().GetAsync("/api/v1/sensors?near=16.27,107.23&radius=500")).Json();
        var ids = near.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToList();
        Assert.Contains(nearId, ids);
        Assert.Contains(besideId, ids);
        Assert.DoesNotContain(farId, ids);
        var box = await (await geo.As().GetAsync("/api/v1/sensors?bbox=107.22,16.31,107.24,16.32")).Json();
        Assert.Equal([farId], box.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToList());

        // The keyset cursor still pages within an area.
        var first = await (await geo.As().GetAsync("/api/v1/sensors?near=16.27,107.23&radius=500&limit=1")).Json();
        var second = await (await geo.As().GetAsync($"/api/v1/sensors?near=16.27,107.23&radius=500&limit=1&cursor={first.GetProperty("nextCursor").GetString()}")).Json();
        Assert.NotEqual(first.GetProperty("items")[0].GetProperty("id").GetString(), second.GetProperty("items")[0].GetProperty("id").GetString());

        var geoJson = new HttpRequestMessage(HttpMethod.Get, "/api/v1/sensors?near=16.27,107.23&radius=500");
        geoJson.Headers.Accept.ParseAdd("application/geo+json");
        var collection = await geo.As().SendAsync(geoJson);
        Assert.Equal("application/geo+json", collection.Content.Headers.ContentType?.MediaType);
        var feature = (await collection.Json()).GetProperty("features").EnumerateArray().Single(f => f.GetProperty("id").GetString() == nearId);
        Assert.Equal(107.23, feature.GetProperty("geometry").GetProperty("coordinates")[0].GetDouble());
        Assert.Equal(16.27, feature.GetProperty("geometry").GetProperty("coordinates")[1].GetDouble());
        Assert.Equal("20044", feature.GetProperty("properties").GetProperty("commune").GetString());

        var reports = await (await geo.As().GetAsync("/api/v1/feedback?near=16.27,107.23&radius=200")).Json();
        Assert.Contains(report, reports.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var elsewhere = await (await geo.As().GetAsync("/api/v1/feedback?bbox=107.22,16.31,107.24,16.32")).Json();
        Assert.DoesNotContain(report, elsewhere.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()));

        var open311 = await (await geo.As().GetAsync($"{Base}/requests.json?lat=16.27&long=107.23&radius=200")).Json();
        Assert.Contains(report, open311.EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()));
        Assert.DoesNotContain(report, (await (await geo.As().GetAsync($"{Base}/requests.json?bbox=107.22,16.31,107.24,16.32")).Json()).EnumerateArray()
            .Select(r => r.GetProperty("service_request_id").GetString()));

        var device = geo.As();
        device.DefaultRequestHeaders.Add(DeviceKeyAuthentication.Header, keys[nearId]);
        Assert.Equal(HttpStatusCode.Accepted, (await device.PostJson($"/api/v1/sensors/{nearId}/readings", new { at = DateTimeOffset.UtcNow, value = 3.8 })).StatusCode);
        await Eventually.Holds(async () => await (await geo.As().GetAsync("/api/v1/alerts?near=16.27,107.23&radius=100")).Json(),
            alerts => alerts.EnumerateArray().Any(a => a.GetProperty("sensorId").GetString() == nearId));
        Assert.DoesNotContain(nearId, (await (await geo.As().GetAsync("/api/v1/alerts?bbox=107.22,16.31,107.24,16.32")).Json())
            .EnumerateArray().Select(a => a.GetProperty("sensorId").GetString()));
        var alertMap = new HttpRequestMessage(HttpMethod.Get, "/api/v1/alerts?near=16.27,107.23&radius=100");
        alertMap.Headers.Accept.ParseAdd("application/geo+json");
        var alertFeature = (await (await geo.As().SendAsync(alertMap)).Json()).GetProperty("features").EnumerateArray().Single(f => f.GetProperty("id").GetString() == nearId);
        Assert.Equal(3, alertFeature.GetProperty("properties").GetProperty("level").GetInt32());
    }

    [Theory]
    [InlineData("/api/v1/sensors?near=16.46,107.59&radius=0", "radius")]
    [InlineData("/api/v1/sensors?near=16.46,107.59&radius=10000000", "radius")] // 10,000 km
    [InlineData("/api/v1/sensors?near=16.46,107.59", "radius")]
    [InlineData("/api/v1/sensors?radius=500", "near")]
    [InlineData("/api/v1/sensors?near=107.59,16.46&radius=500", "near")]   // swapped
    [InlineData("/api/v1/sensors?near=north,east&radius=500", "near")]
    [InlineData("/api/v1/feedback?near=95,107&radius=500", "near")]
    [InlineData("/api/v1/feedback?bbox=107.5,16.4,107.6", "bbox")]
    [InlineData("/api/v1/feedback?bbox=107.6,16.4,107.5,16.5", "bbox")]
    [InlineData("/api/v1/feedback?bbox=16.4,107.5,16.5,107.6", "bbox")]   // swapped
    [InlineData("/api/v1/alerts?bbox=107.5,16.4,107.6,16.5&near=16.46,107.59&radius=500", "bbox")]
    [InlineData("/api/v1/alerts?near=16.46,107.59&radius=-3", "radius")]
    public async Task Bad_geo_queries_are_400_naming_the_parameter(string url, string field)
    {
        await AssertProblem(await geo.As().GetAsync(url), HttpStatusCode.BadRequest, field);
        if (field == "near" && url.Contains("107.59,16.46", StringComparison.Ordinal))
            await AssertProblem(await geo.As().GetAsync(url), HttpStatusCode.BadRequest, field, "swapped");
    }

    [Fact]
    public async Task Open311_geo_errors_are_GeoReport_error_lists_naming_the_parameter()
    {
        foreach (var (query, field) in new[] { ("lat=16.46&long=107.59&radius=0", "radius"), ("lat=16.46&long=107.59&radius=1e7", "radius"), ("lat=16.46&radius=50", "long"), ("lat=107.59&long=16.46&radius=50", "lat") })
        {
            var response = await geo.As().GetAsync($"{Base}/requests.json?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.StartsWith($"{field}:", (await response.Json())[0].GetProperty("description").GetString(), StringComparison.Ordinal);
        }
    }
}
