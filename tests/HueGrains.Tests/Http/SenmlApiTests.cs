using System.Net;
using System.Text.Json;

namespace HueGrains.Tests.Http;

[Collection(ApiCollection.Name)]
public class SenmlApiTests(ApiFixture api)
{

    private async Task<(string Id, string Key)> ProvisionAsync(string kind, string unit)
    {
        var id = $"urn:dev:t:{Guid.NewGuid():N}";
        var response = await api.As(Roles.Operator).PutJson($"/api/v1/sensors/{id}", new { kind, unit, commune = "19789", latitude = 16.46, longitude = 107.6 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (id, (await response.Json()).GetProperty("deviceKey").GetString()!);
    }

    private static StringContent Senml(string json) => new StringContent(json, System.Text.Encoding.UTF8, "application/senml+json");

    [Fact]
    public async Task A_SenML_pack_reaches_the_right_sensors_times_and_units()
    {
        var (gauge, _) = await ProvisionAsync("water-level", "cm");   // a gauge that reports centimetres
        var (thermo, _) = await ProvisionAsync("temperature", "°C");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var pack = $$"""
            [{"bn":"{{gauge}}:","bt":{{now}},"n":"level","v":180,"t":-120},
             {"n":"level","v":230},
             {"bn":"{{thermo}}:","bu":"degF","n":"temp","v":86,"t":-60},
             {"n":"temp","u":"Cel","v":31.5,"t":-1}]
            """;
        var response = await api.As(Roles.Operator).PostAsync("/api/v1/readings", Senml(pack));
        var body = await response.Json();
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(4, body.GetProperty("accepted").GetInt32());

        var level = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{gauge}")).Json();
        Assert.Equal(2.3, level.GetProperty("latest").GetProperty("value").GetDouble(), 9);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(now), level.GetProperty("latest").GetProperty("at").GetDateTimeOffset());
        Assert.Equal(2, level.GetProperty("alertLevel").GetInt32());
        var history = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{gauge}/readings")).Json();
        Assert.Equal([1.8, 2.3], history.GetProperty("readings").EnumerateArray().Select(r => Math.Round(r.GetProperty("value").GetDouble(), 9)));
        var temperature = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{thermo}/readings")).Json();
        Assert.Equal([30.0, 31.5], temperature.GetProperty("readings").EnumerateArray().Select(r => Math.Round(r.GetProperty("value").GetDouble(), 9)));
    }

    [Fact]
    public async Task A_device_key_writes_only_its_own_sensor_and_bad_packs_are_problems()
    {
        var (mine, key) = await ProvisionAsync("pm25", "µg/m³");
        var (theirs, _) = await ProvisionAsync("pm25", "µg/m³");
        var pack = $$"""[{"bn":"{{mine}}","v":30},{"bn":"{{theirs}}","v":31},{"bn":"urn:dev:t:nobody","v":32}]""";
        var device = api.AsDevice(key);
        var body = await (await device.PostAsync("/api/v1/readings", Senml(pack))).Json();
        Assert.Equal(["accepted", "rejected", "rejected"], body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetString()));
        Assert.Equal(JsonValueKind.Null, (await (await api.Anonymous.GetAsync($"/api/v1/sensors/{theirs}")).Json()).GetProperty("latest").ValueKind);

        await SensorApiTests.AssertProblem(await device.PostAsync("/api/v1/readings", Senml($$"""[{"bn":"{{theirs}}","v":31}]""")), HttpStatusCode.BadRequest, "[0]");
        await SensorApiTests.AssertProblem(await device.PostAsync("/api/v1/readings", Senml("""[{"bn":"x","v":"NaN"}]""")), HttpStatusCode.BadRequest, "[0].v");
        await SensorApiTests.AssertProblem(await device.PostAsync("/api/v1/readings", Senml($$"""[{"bn":"{{mine}}","u":"Cel","v":31}]""")), HttpStatusCode.BadRequest, "[0]");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await device.PostJson("/api/v1/readings", new[] { new { bn = mine, v = 1 } })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Anonymous.PostAsync("/api/v1/readings", Senml($$"""[{"bn":"{{mine}}","v":30}]"""))).StatusCode);
    }
}
