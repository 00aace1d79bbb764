using System.Globalization;
using System.Security.Cryptography;
using HueGrains.Api.Auth;
using HueGrains.Silo;
using HueGrains.Testing;

namespace HueGrains.Bench;

/// <summary>The platform as `dotnet run --project silo` runs it durably (role all, PostgreSQL), on real loopback ports.</summary>
public sealed class PlatformUnderTest : IAsyncDisposable
{
    private PlatformUnderTest(WebApplication app, int httpPort, int mqttPort, string signingKey)
    {
        App = app;
        BaseUrl = $"http://127.0.0.1:{httpPort}";
        MqttPort = mqttPort;
        OperatorToken = TokenIssuer.Issue(new HueAuthOptions { SigningKey = signingKey }, Roles.Operator);
    }

    public WebApplication App { get; }
    public string BaseUrl { get; }
    public int MqttPort { get; }
    public string OperatorToken { get; }
    public IGrainFactory Grains => App.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Provisioned devices: id, key and commune; the last one is the freshness probe, alone at the top of its range.</summary>
    public List<(string Id, string Key, string Commune)> Sensors { get; } = [];

    public static async Task<PlatformUnderTest> StartAsync(string connectionString, int sensors)
    {
        var (httpPort, mqttPort) = (ThrowawayPostgres.FreePort(), ThrowawayPostgres.FreePort());
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Hue"] = Environment.GetEnvironmentVariable("BENCH_EMBEDDED") == "1" ? null : connectionString,
            ["Hue:Http:Port"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["Hue:Mqtt:Port"] = mqttPort.ToString(CultureInfo.InvariantCulture),
            ["Hue:Orleans:SiloPort"] = ThrowawayPostgres.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Hue:Orleans:GatewayPort"] = ThrowawayPostgres.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Hue:Auth:SigningKey"] = signingKey,
            ["Hue:Ingest:DeviceMessagesPerSecond"] = "100000",
            ["Hue:Ingest:DeviceBurst"] = "100000",
            ["Hue:RateLimit:PermitsPerSecond"] = "10000000", // the load generator is one client by design
            ["Hue:RateLimit:Burst"] = "10000000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:HueGrains"] = "Warning",
        });
        builder.AddHuePlatform();
        var app = builder.Build();
        app.MapHuePlatform();
        await app.StartAsync();
        var platform = new PlatformUnderTest(app, httpPort, mqttPort, signingKey);
        using var http = Http.Client(platform.BaseUrl);
        while (!(await http.GetAsync("/health/ready")).IsSuccessStatusCode) await Task.Delay(200);

        var communes = CityMap.Communes;
        var provisioned = new (string, string, string)[sensors + 1];
        await Parallel.ForEachAsync(Enumerable.Range(0, sensors + 1), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            var id = i == sensors ? "bench-probe" : $"bench-{i:D6}";
            var commune = communes[i % communes.Count].Code;
            var result = await platform.Grains.Sensor(id).Provision(new SensorSpec(SensorKind.WaterLevel, "m", commune, 16.46, 107.59), ct);
            provisioned[i] = (id, result.Sensor.DeviceKey ?? throw new InvalidOperationException($"{id} was provisioned before"), commune);
        });
        platform.Sensors.AddRange(provisioned);
        return platform;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
