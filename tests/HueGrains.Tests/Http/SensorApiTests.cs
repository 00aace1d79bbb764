using System.Net;
using System.Text.Json;

namespace HueGrains.Tests.Http;

[Collection(ApiCollection.Name)]
public class SensorApiTests(ApiFixture api)
{
    private static readonly string[] IndicatorNames =
        ["floodAlertLevel", "aqiBand", "sensorsReporting", "openFeedback", "overdueFeedback", "openCases", "overdueCases", "onTimeRate", "satisfactionRate"];

    private static readonly string[] CommuneTypes = ["ward", "commune"];

    private static string NewSensorId() => $"t-{Guid.NewGuid():N}";

    private async Task<string> ProvisionAsync(string id, string commune = "19774", string kind = "water-level", string unit = "m")
    {
        var response = await api.As(Roles.Operator).PutJson($"/api/v1/sensors/{id}",
            new { kind, unit, commune, latitude = 16.4637, longitude = 107.5521 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("deviceKey").GetString()!;
    }


    [Fact]
    public async Task The_city_lists_40_communes_with_the_contract_indicators()
    {
        var city = await (await api.Anonymous.GetAsync("/api/v1/city")).Json();
        var communes = city.GetProperty("communes").EnumerateArray().ToList();
        Assert.Equal(40, communes.Count);
        foreach (var commune in communes)
        {
            Assert.Matches("^[0-9]{5}$", commune.GetProperty("code").GetString());
            Assert.Contains(commune.GetProperty("type").GetString(), CommuneTypes);
            foreach (var name in IndicatorNames) Assert.True(commune.GetProperty("indicators").TryGetProperty(name, out _), name);
        }
        foreach (var name in IndicatorNames) Assert.True(city.GetProperty("indicators").TryGetProperty(name, out _), name);
        Assert.Equal(JsonValueKind.Array, city.GetProperty("activeAlerts").ValueKind);
        Assert.Contains(communes, c => c.GetProperty("name").GetString() == "Kim Long");

        var list = await (await api.Anonymous.GetAsync("/api/v1/communes")).Json();
        Assert.Equal(40, list.GetArrayLength());
        var one = await (await api.Anonymous.GetAsync("/api/v1/communes/19753")).Json();
        Assert.Equal("Phú Xuân", one.GetProperty("name").GetString());
        foreach (var name in IndicatorNames) Assert.True(one.GetProperty("indicators").TryGetProperty(name, out _), name);
    }

    [Fact]
    public async Task A_device_reading_of_2_3_m_at_Kim_Long_raises_flood_level_2_for_the_commune_and_the_city_within_2_s()
    {
        var id = NewSensorId();
        var key = await ProvisionAsync(id);

        var response = await api.AsDevice(key).PostJson($"/api/v1/sensors/{id}/readings", new { at = DateTimeOffset.UtcNow, value = 2.3 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var ack = await response.Json();
        Assert.Equal(1, ack.GetProperty("accepted").GetInt32());
        Assert.Equal("accepted", ack.GetProperty("results")[0].GetProperty("status").GetString());

        var within = TimeSpan.FromSeconds(2);
        await Eventually.Holds(async () => await (await api.Anonymous.GetAsync("/api/v1/communes/19774")).Json(),
            c => c.GetProperty("indicators").GetProperty("floodAlertLevel").GetInt32() == 2, within);
        var city = await Eventually.Holds(async () => await (await api.Anonymous.GetAsync("/api/v1/city")).Json(),
            c => c.GetProperty("communes").EnumerateArray().Single(x => x.GetProperty("code").GetString() == "19774")
                .GetProperty("indicators").GetProperty("floodAlertLevel").GetInt32() == 2, within);
        Assert.True(city.GetProperty("indicators").GetProperty("floodAlertLevel").GetInt32() >= 2);
        Assert.Contains(city.GetProperty("activeAlerts").EnumerateArray(), a => a.GetProperty("sensorId").GetString() == id);

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Anonymous.PostAsync("/api/v1/communes/19774/reconcile", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Leader).PostAsync("/api/v1/communes/19774/reconcile", null)).StatusCode);
        var reconciled = await (await api.As(Roles.Operator).PostAsync("/api/v1/communes/19774/reconcile", null)).Json();
        Assert.Equal(2, reconciled.GetProperty("indicators").GetProperty("floodAlertLevel").GetInt32());

        var sensor = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{id}")).Json();
        Assert.Equal(2.3, sensor.GetProperty("latest").GetProperty("value").GetDouble());
        Assert.Equal(2, sensor.GetProperty("alertLevel").GetInt32());
        Assert.Equal(1, sensor.GetProperty("statistics").GetProperty("lastHour").GetProperty("count").GetInt32());
        Assert.False(sensor.TryGetProperty("deviceKey", out _)); // shown once, at creation
    }

    [Fact]
    public async Task Provisioning_again_updates_without_a_new_key_and_a_batch_answers_per_reading()
    {
        var id = NewSensorId();
        var key = await ProvisionAsync(id, "19753", "pm25", "ug/m3");
        var again = await api.As(Roles.Operator).PutJson($"/api/v1/sensors/{id}",
            new { kind = "pm25", unit = "µg/m³", commune = "19753", latitude = 16.47, longitude = 107.58, label = "Trạm Phú Xuân" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False((await again.Json()).TryGetProperty("deviceKey", out _));

        var now = DateTimeOffset.UtcNow;
        var batch = await api.AsDevice(key).PostJson($"/api/v1/sensors/{id}/readings", new
        {
            readings = new object[]
            {
                new { at = now.AddSeconds(-2), value = 40.0 },
                new { at = now.AddSeconds(-2), value = 40.0 },
                new { at = now.AddMinutes(9), value = 41.0 },
            },
        });
        Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        var body = await batch.Json();
        Assert.Equal((1, 1, 1), (body.GetProperty("accepted").GetInt32(), body.GetProperty("duplicates").GetInt32(), body.GetProperty("rejected").GetInt32()));
        Assert.Equal("at", body.GetProperty("results")[2].GetProperty("field").GetString());

        var byOperator = await api.As(Roles.Operator).PostJson($"/api/v1/sensors/{id}/readings", new { at = now, value = 42.0 });
        Assert.Equal(HttpStatusCode.Accepted, byOperator.StatusCode);
    }

    [Fact]
    public async Task Without_credentials_401_and_with_the_wrong_role_or_key_403()
    {
        var id = NewSensorId();
        var key = await ProvisionAsync(id);
        var other = NewSensorId();
        var otherKey = await ProvisionAsync(other);
        var spec = new { kind = "water-level", unit = "m", commune = "19774", latitude = 16.4, longitude = 107.5 };
        var reading = new { at = DateTimeOffset.UtcNow, value = 1.0 };

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Anonymous.PutJson($"/api/v1/sensors/{NewSensorId()}", spec)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.WithToken("not-a-token").PutJson($"/api/v1/sensors/{NewSensorId()}", spec)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Official, "19774").PutJson($"/api/v1/sensors/{NewSensorId()}", spec)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Citizen, citizenId: Keys.NewCitizenId()).PutJson($"/api/v1/sensors/{NewSensorId()}", spec)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Anonymous.PostJson($"/api/v1/sensors/{id}/readings", reading)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Leader).PostJson($"/api/v1/sensors/{id}/readings", reading)).StatusCode);
        var wrongKey = await api.AsDevice(otherKey).PostJson($"/api/v1/sensors/{id}/readings", reading);
        Assert.Equal(HttpStatusCode.Forbidden, wrongKey.StatusCode);
        Assert.Equal("application/problem+json", wrongKey.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Accepted, (await api.AsDevice(key).PostJson($"/api/v1/sensors/{id}/readings", reading)).StatusCode);

        // A token signed with another key is not accepted.
        var forged = Api.Auth.TokenIssuer.Issue(new Api.Auth.HueAuthOptions { SigningKey = Convert.ToBase64String(new byte[32]) }, Roles.Operator);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.WithToken(forged).PutJson($"/api/v1/sensors/{NewSensorId()}", spec)).StatusCode);
    }

    [Theory]
    [InlineData("""{"kind":"water-level","unit":"m","commune":"99999","latitude":16.4,"longitude":107.5}""", "commune")]
    [InlineData("""{"kind":"water-level","unit":"°C","commune":"19774","latitude":16.4,"longitude":107.5}""", "unit")]
    [InlineData("""{"kind":"lava","unit":"m","commune":"19774","latitude":16.4,"longitude":107.5}""", "kind")]
    [InlineData("""{"kind":"water-level","unit":"m","commune":"19774","latitude":96.4,"longitude":107.5}""", "latitude")]
    [InlineData("""{"kind":"water-level","unit":"m","commune":"19774","longitude":107.5}""", "latitude")]
    [InlineData("""{"kind":"water-level","unit":"m","commune":"19774","latitude":16.4,"longitude":107.5,"thresholds":[3,2,1]}""", "thresholds")]
    [InlineData("""{"kind":"water-level","unit":"m",""", "body")]
    public async Task Bad_provisioning_gets_400_naming_the_field_and_creates_nothing(string json, string field)
    {
        var id = NewSensorId();
        var response = await api.As(Roles.Operator).PutAsync($"/api/v1/sensors/{id}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        await AssertProblem(response, HttpStatusCode.BadRequest, field);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Anonymous.GetAsync($"/api/v1/sensors/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"at":"2026-01-01T00:00:00Z","value":NaN}""", "value")]
    [InlineData("""{"at":"2026-01-01T00:00:00Z","value":"NaN"}""", "value")]
    [InlineData("""{"at":"2026-01-01T00:00:00Z","value":"Infinity"}""", "value")]
    [InlineData("""{"at":"2026-01-01T00:00:00Z","value":1e999}""", "value")]
    [InlineData("""{"at":"yesterday","value":1}""", "at")]
    [InlineData("""{"at":"2099-01-01T00:00:00Z","value":1}""", "at")]
    [InlineData("""{"value":1}""", "at")]
    [InlineData("""{"at":"2026-01-01T00:00:00Z","value":-99}""", "value")]
    [InlineData("""{"readings":[]}""", "readings")]
    [InlineData("""{"readings":[{"at":"2099-01-01T00:00:00Z","value":1}]}""", "readings[0].at")]
    [InlineData("""{"readings":[{"value":1}]}""", "readings[0]")]
    [InlineData("""{"readings":[{"at":"2026-01-01T00:00:00Z","value":1}], "value": 2}""", "readings")]
    [InlineData("""[1,2,3]""", "body")]
    [InlineData("""{"at":""", "at")]
    public async Task Bad_readings_get_400_naming_the_field_and_change_nothing(string json, string field)
    {
        var id = NewSensorId();
        var key = await ProvisionAsync(id);
        var response = await api.AsDevice(key).PostRaw($"/api/v1/sensors/{id}/readings", json);
        await AssertProblem(response, HttpStatusCode.BadRequest, field);
        var sensor = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{id}")).Json();
        Assert.Equal(JsonValueKind.Null, sensor.GetProperty("latest").ValueKind);
    }

    [Fact]
    public async Task Oversized_batches_and_unknown_sensors_are_refused()
    {
        var id = NewSensorId();
        var key = await ProvisionAsync(id);
        var now = DateTimeOffset.UtcNow;
        var tooMany = Enumerable.Range(0, IngestLimits.MaxBatch + 1).Select(i => new { at = now.AddSeconds(-i), value = 1.0 }).ToArray();
        await AssertProblem(await api.AsDevice(key).PostJson($"/api/v1/sensors/{id}/readings", new { readings = tooMany }), HttpStatusCode.BadRequest, "readings");

        var unknown = await api.As(Roles.Operator).PostJson($"/api/v1/sensors/{NewSensorId()}/readings", new { at = now, value = 1.0 });
        await AssertProblem(unknown, HttpStatusCode.NotFound, null);
        await AssertProblem(await api.Anonymous.GetAsync("/api/v1/communes/12345"), HttpStatusCode.NotFound, null);
        await AssertProblem(await api.As(Roles.Operator).PutJson("/api/v1/sensors/BAD+ID", new { }), HttpStatusCode.BadRequest, "id");
    }

    [Fact]
    public async Task The_OpenAPI_document_and_reference_page_are_served()
    {
        var doc = await (await api.Anonymous.GetAsync("/openapi/v1.json")).Json();
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/city", "/api/v1/communes/{code}", "/api/v1/sensors/{id}", "/api/v1/sensors/{id}/readings", "/api/v1/citizens", "/api/v1/cases/{id}", "/api/v1/feedback" })
            Assert.True(paths.TryGetProperty(path, out _), path);
        var page = await api.Anonymous.GetAsync("/scalar/v1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Anonymous.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Anonymous.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task History_answers_raw_pages_and_local_time_buckets()
    {
        var id = NewSensorId();
        var key = await ProvisionAsync(id);
        var hour = new DateTimeOffset(DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UtcNow.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero);
        var readings = Enumerable.Range(1, 30).Select(i => new { at = hour.AddMinutes(-i * 5), value = (double)i / 10 }).ToArray();
        Assert.Equal(HttpStatusCode.Accepted, (await api.AsDevice(key).PostJson($"/api/v1/sensors/{id}/readings", new { readings })).StatusCode);

        var page = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{id}/readings?limit=20")).Json();
        Assert.Equal(20, page.GetProperty("readings").GetArrayLength());
        var next = page.GetProperty("nextFrom").GetDateTimeOffset();
        var rest = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{id}/readings?limit=20&from={Uri.EscapeDataString(next.ToString("O"))}")).Json();
        Assert.Equal(10, rest.GetProperty("readings").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("nextFrom").ValueKind);

        var hours = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{id}/readings?bucket=1h")).Json();
        var buckets = hours.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(3, buckets.Count); // 150 minutes of readings every 5 minutes, ending at the hour
        Assert.Equal(30, buckets.Sum(b => b.GetProperty("count").GetInt32()));
        Assert.All(buckets, b => Assert.Equal(0, b.GetProperty("start").GetDateTimeOffset().Minute));
        var days = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{id}/readings?bucket=1d&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z")).Json();
        Assert.All(days.GetProperty("buckets").EnumerateArray(), b => Assert.Equal(17, b.GetProperty("start").GetDateTimeOffset().UtcDateTime.Hour)); // 00:00 in Huế

        await AssertProblem(await api.Anonymous.GetAsync($"/api/v1/sensors/{id}/readings?bucket=2h"), HttpStatusCode.BadRequest, "bucket");
        await AssertProblem(await api.Anonymous.GetAsync($"/api/v1/sensors/{id}/readings?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"), HttpStatusCode.BadRequest, "to");
        await AssertProblem(await api.Anonymous.GetAsync($"/api/v1/sensors/{id}/readings?limit=0"), HttpStatusCode.BadRequest, "limit");
        Assert.Equal(HttpStatusCode.NotFound, (await api.Anonymous.GetAsync($"/api/v1/sensors/{NewSensorId()}/readings")).StatusCode);
    }

    internal static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string? field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        if (field is not null)
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"expected an error for '{field}': {text}");
    }
}
