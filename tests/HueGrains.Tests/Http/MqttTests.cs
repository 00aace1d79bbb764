using System.Diagnostics;
using System.Net;
using System.Text.Json;
using HueGrains.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace HueGrains.Tests.Http;

/// <summary>Devices over MQTT, driven by a real client outside .NET (Debian's mosquitto-clients, installed on first use if missing).</summary>
[Collection(ApiCollection.Name)]
public class MqttTests(ApiFixture api)
{

    private async Task<(string Id, string Key)> ProvisionAsync(string commune = "19753")
    {
        var id = $"mq-{Guid.NewGuid():N}";
        var created = await (await api.As(Roles.Operator).PutJson($"/api/v1/sensors/{id}",
            new { kind = "water-level", unit = "m", commune, latitude = 16.46, longitude = 107.58 })).Json();
        return (id, created.GetProperty("deviceKey").GetString()!);
    }

    private static Task<string> Client(string tool) => RequiredTool.EnsureAsync(tool, "mosquitto-clients");

    private async Task<(int Code, string Output)> Mosquitto(string tool, params string[] args)
    {
        var path = await Client(tool);
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-h", "127.0.0.1", "-p", api.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(args))
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await output + await error);
    }

    private Task<(int Code, string Output)> Publish(string id, string key, string topic, string payload) =>
        Mosquitto("mosquitto_pub", "-u", id, "-P", key, "-q", "1", "-t", topic, "-m", payload);

    private async Task<JsonElement> LatestAsync(string id) => (await (await api.Anonymous.GetAsync($"/api/v1/sensors/{id}")).Json()).GetProperty("latest");

    [Fact]
    public async Task JSON_and_SenML_published_at_QoS_1_are_durable_when_acknowledged()
    {
        var (id, key) = await ProvisionAsync();
        var at = DateTimeOffset.UtcNow.AddSeconds(-30);
        var json = await Publish(id, key, $"hue/sensors/{id}/readings", JsonSerializer.Serialize(new { at, value = 1.5 }));
        Assert.True(json.Code == 0, json.Output);
        Assert.Equal(1.5, (await LatestAsync(id)).GetProperty("value").GetDouble()); // acknowledged means stored: no waiting

        var senml = await Publish(id, key, $"hue/sensors/{id}/readings", $$"""[{"bn":"{{id}}:","bu":"cm","n":"level","v":160,"t":-20},{"n":"level","v":170,"t":-10}]""");
        Assert.True(senml.Code == 0, senml.Output);
        var latest = await LatestAsync(id);
        Assert.Equal(1.7, latest.GetProperty("value").GetDouble(), 9);
        var history = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{id}/readings")).Json();
        Assert.Equal(3, history.GetProperty("readings").GetArrayLength());
    }

    [Fact]
    public async Task Wrong_credentials_and_another_devices_topic_are_refused()
    {
        var (id, key) = await ProvisionAsync();
        var (other, _) = await ProvisionAsync();
        var payload = JsonSerializer.Serialize(new { at = DateTimeOffset.UtcNow, value = 1.0 });

        var wrongKey = await Publish(id, "not-the-key-of-this-sensor", $"hue/sensors/{id}/readings", payload);
        Assert.NotEqual(0, wrongKey.Code);
        Assert.Contains("bad user name or password", wrongKey.Output, StringComparison.OrdinalIgnoreCase);
        var unknown = await Publish("mq-nobody", key, "hue/sensors/mq-nobody/readings", payload);
        Assert.NotEqual(0, unknown.Code);

        var foreign = await Publish(id, key, $"hue/sensors/{other}/readings", payload);
        Assert.NotEqual(0, foreign.Code);
        Assert.Equal(JsonValueKind.Null, (await LatestAsync(other)).ValueKind);
        Assert.Equal(JsonValueKind.Null, (await LatestAsync(id)).ValueKind);
    }

    [Fact]
    public async Task Alerts_are_published_on_the_communes_topic()
    {
        const string Commune = "19831";
        var (id, key) = await ProvisionAsync(Commune);
        await Client("mosquitto_sub"); // installed before it starts, if it must be, so the 500 ms below are its head start
        var subscriber = Mosquitto("mosquitto_sub", "-u", id, "-P", key, "-q", "1", "-t", $"hue/alerts/{Commune}", "-C", "1", "-W", "15");
        await Task.Delay(500); // let the subscription settle
        var published = await Publish(id, key, $"hue/sensors/{id}/readings", JsonSerializer.Serialize(new { at = DateTimeOffset.UtcNow, value = 2.4 }));
        Assert.True(published.Code == 0, published.Output);

        var (code, output) = await subscriber;
        Assert.True(code == 0, output);
        var notice = JsonDocument.Parse(output).RootElement;
        Assert.Equal(id, notice.GetProperty("alert").GetProperty("sensorId").GetString());
        Assert.Equal(("raised", 2), (notice.GetProperty("status").GetString(), notice.GetProperty("alert").GetProperty("level").GetInt32()));
    }

    [Fact]
    public async Task An_empty_client_id_with_a_clean_session_is_given_one()
    {
        var (id, key) = await ProvisionAsync();
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", api.MqttPort)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId("")
            .WithCleanSession()
            .WithCredentials(id, key)
            .Build();
        var connected = await client.ConnectAsync(options);
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic($"hue/sensors/{id}/readings")
            .WithPayload(JsonSerializer.Serialize(new { at = DateTimeOffset.UtcNow, value = 0.8 }))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.True(result.IsSuccess);
        Assert.Equal(0.8, (await LatestAsync(id)).GetProperty("value").GetDouble());
        Assert.Equal(HttpStatusCode.OK, (await api.Anonymous.GetAsync($"/api/v1/sensors/{id}")).StatusCode);
    }
}
