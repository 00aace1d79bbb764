using System.Net;
using System.Text;
using System.Text.Json;

namespace HueGrains.Tests.Http;

[Collection(ApiCollection.Name)]
public class ProvisioningApiTests(ApiFixture api)
{

    private static string NewId() => $"b-{Guid.NewGuid():N}";

    [Fact]
    public async Task Sensors_are_provisioned_in_bulk_from_JSON_each_row_answered_and_keys_shown_once()
    {
        var (a, b, bad) = (NewId(), NewId(), NewId());
        var rows = new object[]
        {
            new { id = a, kind = "water-level", unit = "cm", commune = "19753", latitude = 16.47, longitude = 107.58 },
            new { id = b, kind = "pm10", unit = "ug/m3", commune = "19774", latitude = 16.46, longitude = 107.55, expectedIntervalSeconds = 120 },
            new { id = bad, kind = "pm25", unit = "µg/m³", commune = "00000", latitude = 16.46, longitude = 107.55 },
            new { id = "Not Valid", kind = "pm25", unit = "µg/m³", commune = "19753", latitude = 16.46, longitude = 107.55 },
        };
        var body = await (await api.As(Roles.Operator).PostJson("/api/v1/sensors", rows)).Json();
        Assert.Equal((2, 0, 2), (body.GetProperty("created").GetInt32(), body.GetProperty("updated").GetInt32(), body.GetProperty("rejected").GetInt32()));
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.All(results.Take(2), r => Assert.False(string.IsNullOrEmpty(r.GetProperty("deviceKey").GetString())));
        Assert.True(results[2].GetProperty("errors").TryGetProperty("commune", out _));
        Assert.True(results[3].GetProperty("errors").TryGetProperty("id", out _));

        var again = await (await api.As(Roles.Operator).PostJson("/api/v1/sensors", rows[..2])).Json();
        Assert.Equal(2, again.GetProperty("updated").GetInt32());
        Assert.All(again.GetProperty("results").EnumerateArray(), r => Assert.Equal(JsonValueKind.Null, r.GetProperty("deviceKey").ValueKind));
        var gauge = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{a}")).Json();
        Assert.Equal(("m", "cm"), (gauge.GetProperty("unit").GetString(), gauge.GetProperty("deviceUnit").GetString()));
        Assert.Equal(120, (await (await api.Anonymous.GetAsync($"/api/v1/sensors/{b}")).Json()).GetProperty("expectedIntervalSeconds").GetInt32());
    }

    [Fact]
    public async Task Sensors_are_provisioned_in_bulk_from_CSV_with_quoted_fields()
    {
        var (a, b) = (NewId(), NewId());
        var csv = $"id,kind,unit,commune,latitude,longitude,label\n{a},traffic-count,vehicles,19753,16.47,107.58,\"Cầu Trường Tiền, phía Bắc\"\r\n{b},temperature,degF,19774,16.46,107.55,\n";
        var response = await api.As(Roles.Operator).PostAsync("/api/v1/sensors", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var body = await response.Json();
        Assert.Equal(2, body.GetProperty("created").GetInt32());
        Assert.Equal("Cầu Trường Tiền, phía Bắc", (await (await api.Anonymous.GetAsync($"/api/v1/sensors/{a}")).Json()).GetProperty("label").GetString());

        var key = body.GetProperty("results")[1].GetProperty("deviceKey").GetString()!;
        await api.AsDevice(key).PostJson($"/api/v1/sensors/{b}/readings", new { at = DateTimeOffset.UtcNow, value = 95.0 });
        Assert.Equal(35.0, (await (await api.Anonymous.GetAsync($"/api/v1/sensors/{b}")).Json()).GetProperty("latest").GetProperty("value").GetDouble(), 9);

        var badHeader = await api.As(Roles.Operator).PostAsync("/api/v1/sensors", new StringContent("name,kind\nx,pm25\n", Encoding.UTF8, "text/csv"));
        await SensorApiTests.AssertProblem(badHeader, HttpStatusCode.BadRequest, "header");
        var xml = await api.As(Roles.Operator).PostAsync("/api/v1/sensors", new StringContent("<sensors/>", Encoding.UTF8, "application/xml"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, xml.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Official, "19753").PostAsync("/api/v1/sensors", new StringContent(csv, Encoding.UTF8, "text/csv"))).StatusCode);
    }

    [Fact]
    public async Task A_rotated_key_replaces_the_old_one_and_a_revoked_key_refuses_the_device()
    {
        var id = NewId();
        var created = await (await api.As(Roles.Operator).PutJson($"/api/v1/sensors/{id}",
            new { kind = "noise", unit = "dBA", commune = "19753", latitude = 16.47, longitude = 107.58 })).Json();
        var oldKey = created.GetProperty("deviceKey").GetString()!;
        var reading = new { at = DateTimeOffset.UtcNow, value = 62.0 };

        var rotated = await (await api.As(Roles.Operator).PostAsync($"/api/v1/sensors/{id}/key", null)).Json();
        var newKey = rotated.GetProperty("deviceKey").GetString()!;
        Assert.NotEqual(oldKey, newKey);
        // The old key belongs to no sensor any more: refused at the door, before the sensor is called.
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.AsDevice(oldKey).PostJson($"/api/v1/sensors/{id}/readings", reading)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await api.AsDevice(newKey).PostJson($"/api/v1/sensors/{id}/readings", reading)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await api.As(Roles.Operator).DeleteAsync($"/api/v1/sensors/{id}/key")).StatusCode);
        // Just used, the edge may still remember its sensor for a few seconds (401 once it asks again); the sensor refuses it (403).
        Assert.True((await api.AsDevice(newKey).PostJson($"/api/v1/sensors/{id}/readings", reading with { at = DateTimeOffset.UtcNow })).StatusCode
            is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Leader).PostAsync($"/api/v1/sensors/{id}/key", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.As(Roles.Operator).PostAsync($"/api/v1/sensors/{NewId()}/key", null)).StatusCode);
    }

    [Fact]
    public async Task A_device_sending_faster_than_its_quota_gets_429_with_Retry_After()
    {
        var id = NewId();
        var key = (await (await api.As(Roles.Operator).PutJson($"/api/v1/sensors/{id}",
            new { kind = "humidity", unit = "%", commune = "19753", latitude = 16.47, longitude = 107.58 })).Json()).GetProperty("deviceKey").GetString()!;
        var device = api.AsDevice(key);
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 300 && limited is null; i++)
        {
            var response = await device.PostJson($"/api/v1/sensors/{id}/readings", new { at = start.AddSeconds(i), value = 70.0 });
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
            else Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        Assert.NotNull(limited);
        Assert.Equal("1", limited.Headers.RetryAfter?.ToString());
        await SensorApiTests.AssertProblem(limited, HttpStatusCode.TooManyRequests, null);
        Assert.Equal(HttpStatusCode.Accepted, (await api.As(Roles.Operator).PostJson($"/api/v1/sensors/{id}/readings", new { at = DateTimeOffset.UtcNow, value = 71.0 })).StatusCode);
    }
}
