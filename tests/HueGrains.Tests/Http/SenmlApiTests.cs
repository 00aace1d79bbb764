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

    /// <summary>A body sent without Content-Length (chunked): the lane leaves it to the full pipeline.</summary>
    private sealed class Chunked(string json) : HttpContent
    {
        private readonly byte[] _bytes = System.Text.Encoding.UTF8.GetBytes(json);

        public Chunked Typed()
        {
            Headers.ContentType = new("application/senml+json");
            return this;
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task A_device_s_own_pack_by_the_lean_lane_is_answered_as_by_the_full_pipeline()
    {
        var (id, key) = await ProvisionAsync("water-level", "cm");
        var device = api.AsDevice(key);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string Pack(long t) => $$"""[{"bn":"{{id}}:","bt":{{t}},"bu":"cm","n":"level","v":120},{"n":"level","v":125,"t":10},{"n":"level","v":125,"t":10}]""";

        var lane = await device.PostAsync("/api/v1/readings", Senml(Pack(now - 600)));          // sized: the lane
        var full = await device.PostAsync("/api/v1/readings", new Chunked(Pack(now - 300)).Typed()); // chunked: the full pipeline
        var answers = new List<JsonElement>();
        foreach (var response in new[] { lane, full })
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal("/api/v1/readings", response.Headers.Location?.ToString());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            answers.Add(await response.Json());
        }
        foreach (var answer in answers)
        {
            Assert.Equal((2, 1, 0), (answer.GetProperty("accepted").GetInt32(), answer.GetProperty("duplicates").GetInt32(), answer.GetProperty("rejected").GetInt32()));
            Assert.Equal(["accepted", "accepted", "duplicate"], answer.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetString()));
            Assert.All(answer.GetProperty("results").EnumerateArray(), r => Assert.Equal(id, r.GetProperty("sensor").GetString()));
            Assert.Equal(JsonValueKind.Null, answer.GetProperty("results")[0].GetProperty("field").ValueKind);
        }
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(now - 590), answers[0].GetProperty("results")[1].GetProperty("at").GetDateTimeOffset());
        var names = answers.Select(a => string.Join(",", a.GetProperty("results")[0].EnumerateObject().Select(p => p.Name))).Distinct();
        Assert.Single(names); // the same fields, in the same order

        var history = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{id}/readings")).Json();
        Assert.Equal([1.2, 1.25, 1.2, 1.25], history.GetProperty("readings").EnumerateArray().Select(r => Math.Round(r.GetProperty("value").GetDouble(), 9)));

        // A unit the sensor cannot take: the same problem, naming the record, whichever way the pack comes.
        var wrongUnit = $$"""[{"bn":"{{id}}","u":"Cel","v":31}]""";
        await SensorApiTests.AssertProblem(await device.PostAsync("/api/v1/readings", Senml(wrongUnit)), HttpStatusCode.BadRequest, "[0]");
        await SensorApiTests.AssertProblem(await device.PostAsync("/api/v1/readings", new Chunked(wrongUnit).Typed()), HttpStatusCode.BadRequest, "[0]");
    }
}
