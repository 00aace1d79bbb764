using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using HueGrains.Api.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MQTTnet;
using MQTTnet.Formatter;

namespace HueGrains.Tests.Http;

/// <summary>
/// A device is whoever presents its own key (X-Device-Key over HTTP, the password over MQTT), and every device path
/// checks that key against the sensor's. A bearer token claiming the device role never stands in for the key.
/// </summary>
[Collection(ApiCollection.Name)]
public class DeviceAuthenticationTests(ApiFixture api)
{
    /// <summary>A token signed with the platform's own key: role <c>device</c>, and the given extra claims.</summary>
    private string DeviceToken(params Claim[] extra) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = api.Auth.Issuer,
        Audience = api.Auth.Audience,
        Subject = new ClaimsIdentity([new(HueClaims.Role, Roles.Device), new(HueClaims.Subject, $"device-{Guid.NewGuid():N}"), .. extra]),
        NotBefore = DateTime.UtcNow.AddSeconds(-5),
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(SigningKeys.Resolve(api.Auth), SecurityAlgorithms.HmacSha256),
    });

    private static StringContent Senml(string sensor, double value) =>
        new(JsonSerializer.Serialize(new[] { new { bn = sensor, v = value, t = -5 } }), Encoding.UTF8, "application/senml+json");

    /// <summary>The three HTTP device paths: one reading, a batch, a SenML pack.</summary>
    private static async Task<List<(string Path, HttpResponseMessage Response)>> PostOnEveryPathAsync(HttpClient client, string sensor)
    {
        var at = DateTimeOffset.UtcNow.AddSeconds(-Random.Shared.Next(10, 200));
        return
        [
            ("single", await client.PostJson($"/api/v1/sensors/{sensor}/readings", new { at, value = 1.1 })),
            ("batch", await client.PostJson($"/api/v1/sensors/{sensor}/readings", new { readings = new[] { new { at = at.AddSeconds(-1), value = 1.2 } } })),
            ("senml", await client.PostAsync("/api/v1/readings", Senml(sensor, 1.3))),
        ];
    }

    [Fact]
    public async Task A_device_role_token_without_a_key_hash_is_refused_on_every_device_path_and_stores_nothing()
    {
        var (id, device) = await api.GaugeAsync("19753");
        var created = await (await api.As(Roles.Operator).PostAsync($"/api/v1/sensors/{id}/key", null)).Json(); // a key we know
        var key = created.GetProperty("deviceKey").GetString()!;

        HttpClient[] impostors =
        [
            api.WithToken(TokenIssuer.Issue(api.Auth, Roles.Device)), // the device role, no key-hash claim
            api.WithToken(DeviceToken(new Claim(HueClaims.DeviceKeyHash, ""))),
            api.WithToken(DeviceToken(new Claim(HueClaims.DeviceKeyHash, DeviceKeys.Hash(key)))), // a key hash is not the key
        ];
        foreach (var impostor in impostors)
        {
            foreach (var (path, response) in await PostOnEveryPathAsync(impostor, id))
            {
                Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden,
                    $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
        var sensor = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{id}")).Json();
        Assert.Equal(JsonValueKind.Null, sensor.GetProperty("latest").ValueKind);

        // The key itself still works on every path; the rotated-out key of GaugeAsync does not.
        Assert.All(await PostOnEveryPathAsync(api.AsDevice(key), id), r => Assert.Equal(HttpStatusCode.Accepted, r.Response.StatusCode));
        foreach (var (path, response) in await PostOnEveryPathAsync(device, id))
        {
            Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task A_bearer_token_is_not_an_MQTT_password()
    {
        var (id, _) = await api.GaugeAsync("19753");
        foreach (var token in new[] { TokenIssuer.Issue(api.Auth, Roles.Device), TokenIssuer.Issue(api.Auth, Roles.Operator) })
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", api.MqttPort)
                .WithProtocolVersion(MqttProtocolVersion.V311)
                .WithClientId($"jwt-{Guid.NewGuid():N}")
                .WithCredentials(id, token)
                .Build();
            MqttClientConnectResult? result = null;
            var error = await Record.ExceptionAsync(async () => result = await client.ConnectAsync(options));
            Assert.True(error?.GetType().Name == "MqttConnectingFailedException" || result?.ResultCode == MqttClientConnectResultCode.BadUserNameOrPassword,
                $"connected with a bearer token as password: {result?.ResultCode} {error}");
            Assert.False(client.IsConnected);
        }
    }
}
