using System.Net;
using System.Text;
using HueGrains.Api.Auth;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace HueGrains.Tests.Http;

/// <summary>Issue 14, items 7–10: what a client without an account (or with a made-up key) can make the platform do.</summary>
[Collection(ApiCollection.Name)]
public class AnonymousAbuseTests(ApiFixture api)
{
    private IGrainFactory Grains => api.App.Services.GetRequiredService<IGrainFactory>();

    private async Task<int> ActiveAsync(string grainType, IEnumerable<string> keys)
    {
        var active = await Grains.GetGrain<IManagementGrain>(0).GetActiveGrains(GrainType.Create(grainType));
        var wanted = keys.ToHashSet();
        return active.Count(id => wanted.Contains(id.Key.ToString()!));
    }

    private static StringContent Senml(string json) => new(json, Encoding.UTF8, "application/senml+json");

    private static string MadeUpKey() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    private static string[] StrangerSensors(int count) => [.. Enumerable.Range(0, count).Select(_ => $"x-{Guid.NewGuid():N}")];

    private static string Pack(IEnumerable<string> sensors) => "[" + string.Join(",", sensors.Select(s => $$"""{"bn":"{{s}}","v":1}""")) + "]";

    [Fact]
    public async Task Open311_lookups_by_id_wake_no_report_and_name_at_most_50_ids()
    {
        var ids = Enumerable.Range(0, Api.Open311.Open311Api.MaxIdsPerRequest + 1).Select(_ => Keys.NewFeedbackId()).ToArray();
        var allowed = await api.Anonymous.GetAsync($"/open311/v2/requests.json?service_request_id={string.Join(",", ids[..^1])}");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(0, (await allowed.Json()).GetArrayLength());
        Assert.Equal(0, await ActiveAsync("feedback", ids));

        var tooMany = await api.Anonymous.GetAsync($"/open311/v2/requests.json?service_request_id={string.Join(",", ids)}");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("at most 50", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_made_up_device_key_is_refused_before_any_sensor_is_woken()
    {
        var device = api.AsDevice(MadeUpKey());
        var sensors = StrangerSensors(1000);
        var pack = await device.PostAsync("/api/v1/readings", Senml(Pack(sensors)));
        Assert.Equal(HttpStatusCode.Unauthorized, pack.StatusCode);
        var single = await device.PostJson($"/api/v1/sensors/{sensors[0]}/readings", new { at = DateTimeOffset.UtcNow, value = 1 });
        Assert.Equal(HttpStatusCode.Unauthorized, single.StatusCode);
        Assert.Equal(0, await ActiveAsync("sensor", sensors.Select(Keys.SensorKey)));
    }

    [Fact]
    public async Task A_real_device_key_writes_its_own_sensor_and_wakes_no_other()
    {
        var (own, device) = await api.GaugeAsync("19753");
        var others = StrangerSensors(50);
        var response = await device.PostAsync("/api/v1/readings", Senml(Pack([own, .. others])));
        var body = await response.Json();
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        Assert.Equal(50, body.GetProperty("rejected").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, (await device.PostJson($"/api/v1/sensors/{others[0]}/readings", new { at = DateTimeOffset.UtcNow, value = 1 })).StatusCode);
        Assert.Equal(0, await ActiveAsync("sensor", others.Select(Keys.SensorKey)));
    }

    [Fact]
    public async Task A_megabyte_of_empty_readings_earns_a_small_answer()
    {
        var (id, device) = await api.GaugeAsync("19753");
        var json = new StringBuilder("""{"readings":[""");
        while (json.Length < 1_000_000) json.Append("{},");
        json.Append("{}]}");
        var response = await device.PostRaw($"/api/v1/sensors/{id}/readings", json.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.InRange((await response.Content.ReadAsByteArrayAsync()).Length, 1, 4096);

        // Within the batch limit, every item is wrong: the first 20 are named, the rest counted.
        var full = await device.PostRaw($"/api/v1/sensors/{id}/readings", """{"readings":[""" + string.Join(",", Enumerable.Repeat("{}", 1000)) + "]}");
        var errors = (await full.Json()).GetProperty("errors");
        Assert.Equal(HttpStatusCode.BadRequest, full.StatusCode);
        Assert.Equal(ErrorList.MaxShown + 1, errors.EnumerateObject().Count());
        Assert.Contains("980 more", errors.GetProperty(ErrorList.MoreField)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_megabyte_of_nameless_SenML_earns_a_small_answer()
    {
        var (_, device) = await api.GaugeAsync("19753");
        var pack = new StringBuilder("[");
        while (pack.Length < 1_000_000) pack.Append("""{"v":1},""");
        pack.Append("""{"v":1}]""");
        var response = await device.PostAsync("/api/v1/readings", Senml(pack.ToString()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.InRange((await response.Content.ReadAsByteArrayAsync()).Length, 1, 4096);

        var nameless = await device.PostAsync("/api/v1/readings", Senml("[" + string.Join(",", Enumerable.Repeat("""{"v":1}""", 500)) + "]"));
        Assert.Equal(HttpStatusCode.BadRequest, nameless.StatusCode);
        Assert.InRange((await nameless.Content.ReadAsByteArrayAsync()).Length, 1, 4096);
    }

    [Theory]
    [InlineData("bt", "1e20")]
    [InlineData("bt", "9.3e15")]
    [InlineData("t", "1e300")]
    [InlineData("t", "-1e300")]
    [InlineData("bt", "-1e20")]
    public async Task Times_beyond_the_calendar_are_a_400_not_a_500(string field, string time)
    {
        var (id, device) = await api.GaugeAsync("19753");
        var response = await device.PostAsync("/api/v1/readings", Senml($$"""[{"bn":"{{id}}","{{field}}":{{time}},"v":1}]"""));
        await SensorApiTests.AssertProblem(response, HttpStatusCode.BadRequest, "[0].t");
    }

    [Fact]
    public async Task Over_MQTT_a_time_beyond_the_calendar_is_acknowledged_as_invalid()
    {
        var (id, device) = await api.GaugeAsync("19753");
        var key = device.DefaultRequestHeaders.GetValues(DeviceKeyAuthentication.Header).Single();
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", api.MqttPort)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithClientId(id).WithCredentials(id, key).Build());
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"hue/sensors/{id}/readings")
            .WithPayload($$"""[{"bt":1e20,"v":1}]""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())
            .WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, result.ReasonCode);
        Assert.True(client.IsConnected);
    }

    [Theory]
    [InlineData("date=9999-12-31")]
    [InlineData("from=0001-01-01")]
    [InlineData("from=9999-12-01&to=9999-12-31")]
    public async Task Open_data_days_beyond_the_calendar_are_a_400_not_a_500(string query)
    {
        var response = await api.Anonymous.GetAsync($"/opendata/cases-daily.csv?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_device_name_with_control_characters_is_echoed_escaped()
    {
        var response = await api.As(Roles.Operator).PostAsync("/api/v1/readings",
            Senml("""[{"bn":"evil\nwarn: Forged line\r\u001b[31m","v":1}]"""));
        var detail = (await response.Json()).GetProperty("errors").GetProperty("[0].bn")[0].GetString()!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(detail, char.IsControl);
        Assert.Contains("evil\\u000awarn: Forged line\\u000d\\u001b[31m", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_device_quota_holds_in_its_sensor_whichever_front_end_calls()
    {
        var (id, device) = await api.GaugeAsync("19753");
        var hash = DeviceKeys.Hash(device.DefaultRequestHeaders.GetValues(DeviceKeyAuthentication.Header).Single());
        var start = DateTimeOffset.UtcNow.AddMinutes(-4);
        var refused = 0;
        for (var i = 0; i < 200; i++) // straight to the grain, as a second front end with its own per-node bucket would
        {
            try { await Grains.Sensor(id).Ingest([new Reading(start.AddMilliseconds(i * 10), 1)], hash); }
            catch (HueQuotaExceededException e) when (e.RetryAfterSeconds >= 1) { refused++; }
        }
        Assert.InRange(refused, 1, 200);
        Assert.NotNull(await Grains.Sensor(id).Ingest([new Reading(start.AddMinutes(1), 1)], deviceKeyHash: null)); // operators are not limited
    }
}
