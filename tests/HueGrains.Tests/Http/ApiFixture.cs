using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using HueGrains.Api;
using HueGrains.Api.Auth;
using HueGrains.Client;
using HueGrains.Persistence;
using HueGrains.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace HueGrains.Tests.Http;

/// <summary>The platform composed exactly as <c>dotnet run --project silo</c> does (role all), served by the test server.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    /// <summary>64 bytes, long enough for HS384 and HS512 too: a token signed so with this very key must still be refused.</summary>
    public HueAuthOptions Auth { get; } = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)) };

    public WebApplication App { get; private set; } = null!;

    public int MqttPort { get; } = LoopbackPorts.Free();

    /// <summary>The api_key of an Open311 application allowed to post requests.</summary>
    public string Open311Key { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public HttpClient Anonymous { get; private set; } = null!;

    /// <summary>The data-sharing platform's credentials for the national dossier sync.</summary>
    public const string NationalAccessKey = "test-lgsp-access-key";

    public const string NationalSecretKey = "test-lgsp-secret-key";

    /// <summary>Where the public reaches the platform: absolute links in Open311 and open data start with it.</summary>
    public const string PublicBaseUrl = "https://data.hue.example";

    public async Task InitializeAsync()
    {
        App = await TestPlatform.StartAsync(new()
        {
            ["Hue:Auth:SigningKey"] = Auth.SigningKey,
            ["Hue:Mqtt:Port"] = MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Hue:Open311:ApiKeys:0"] = Open311Key,
            ["Hue:Http:PublicBaseUrl"] = PublicBaseUrl,
            ["Hue:History:IndicatorSampleSeconds"] = "1", // history tests need samples in seconds, not minutes
            ["Hue:RateLimit:PermitsPerSecond"] = "1000000", // all anonymous test requests share one client; HardeningTests checks limits
            ["Hue:RateLimit:Burst"] = "1000000",
            // Webhook receivers in tests listen on plain http on loopback; retries and the pause come quickly.
            ["Hue:Subscriptions:AllowedHosts"] = "127.0.0.1",
            ["Hue:Subscriptions:BackoffBaseMilliseconds"] = "50",
            ["Hue:Subscriptions:BackoffMaxSeconds"] = "1",
            ["Hue:Subscriptions:TimeoutSeconds"] = "1",
            ["Hue:Subscriptions:PollMilliseconds"] = "100",
            ["Hue:Subscriptions:PauseAfterMinutes"] = "0.25",
            ["Hue:Subscriptions:MaxPerOwner"] = "3",
            ["Hue:NationalSync:AccessKey"] = NationalAccessKey,
            ["Hue:NationalSync:SecretKey"] = NationalSecretKey,
        }, services: s => s.AddSingleton(sp => new HoldingJournal(new MemoryReadingJournal(sp.GetRequiredService<IOptions<HistoryOptions>>())))
            .AddSingleton<IReadingJournal>(sp => sp.GetRequiredService<HoldingJournal>()));
        Anonymous = App.GetTestClient();
    }

    public Task DisposeAsync() => TestPlatform.StopAsync(App);

    /// <summary>The platform's reading journal, which can hold a sensor's appends (see <see cref="HoldingJournal"/>).</summary>
    public HoldingJournal Journal => App.Services.GetRequiredService<HoldingJournal>();

    public HttpClient As(string role, string? commune = null, string? citizenId = null) =>
        WithToken(TokenIssuer.Issue(Auth, role, commune, citizenId));

    public HttpClient WithToken(string token)
    {
        var client = App.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Provisions a water-level gauge in a commune; returns its id and a client holding its device key.</summary>
    public async Task<(string Id, HttpClient Device)> GaugeAsync(string commune)
    {
        var id = $"t-{Guid.NewGuid():N}";
        var created = await (await As(Roles.Operator).PutJson($"/api/v1/sensors/{id}",
            new { kind = "water-level", unit = "m", commune, latitude = 16.46, longitude = 107.57 })).Json();
        return (id, AsDevice(created.GetProperty("deviceKey").GetString()!));
    }

    /// <summary>HueGrains.Client, the generated client, over a test client (its token or device key included).</summary>
    public static HueApiClient Typed(HttpClient http) =>
        new(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = http.BaseAddress!.ToString().TrimEnd('/') });

    public HttpClient AsDevice(string key)
    {
        var client = App.GetTestClient();
        client.DefaultRequestHeaders.Add(DeviceKeyAuthentication.Header, key);
        return client;
    }

}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}

public static class HttpJson
{
    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, HueJson.Options);

    public static Task<HttpResponseMessage> PutJson(this HttpClient client, string url, object body) =>
        client.PutAsJsonAsync(url, body, HueJson.Options);

    public static Task<HttpResponseMessage> PostRaw(this HttpClient client, string url, string json) =>
        client.PostAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public static async Task<System.Text.Json.JsonElement> Json(this HttpResponseMessage response) =>
        System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>A model of the generated client as the JSON it stands for.</summary>
    public static string ToJson(this Microsoft.Kiota.Abstractions.Serialization.IParsable value)
    {
        using var writer = new Microsoft.Kiota.Serialization.Json.JsonSerializationWriter();
        writer.WriteObjectValue(null, value);
        using var reader = new StreamReader(writer.GetSerializedContent());
        return reader.ReadToEnd();
    }

    public static async Task<T> Read<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(HueJson.Options))!;
}
