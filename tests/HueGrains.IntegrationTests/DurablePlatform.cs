using System.Net.Http.Headers;
using System.Security.Cryptography;
using HueGrains.Api.Auth;
using HueGrains.Silo;
using HueGrains.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;

namespace HueGrains.IntegrationTests;

/// <summary>The platform (role all) on a PostgreSQL database, in this process, served by the test server.</summary>
public sealed class DurablePlatform : IAsyncDisposable
{
    public static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private DurablePlatform(WebApplication app) => App = app;

    public WebApplication App { get; }

    public IGrainFactory Grains => (IGrainFactory)App.Services.GetService(typeof(IGrainFactory))!;

    public static async Task<DurablePlatform> StartAsync(string connectionString, Dictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Hue"] = connectionString,
            ["Hue:Auth:SigningKey"] = SigningKey,
            ["Hue:RateLimit:PermitsPerSecond"] = "1000000", // load from one client by design
            ["Hue:RateLimit:Burst"] = "1000000",
            ["Hue:Orleans:SiloPort"] = LoopbackPorts.FreeSetting(),
            ["Hue:Orleans:GatewayPort"] = LoopbackPorts.FreeSetting(),
            ["Hue:Orleans:ClusterId"] = $"it-{Guid.NewGuid():N}",
            ["Hue:Mqtt:Port"] = LoopbackPorts.FreeSetting(),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.AddHuePlatform();
        builder.WebHost.UseTestServer();
        var app = builder.Build();
        app.MapHuePlatform();
        await app.StartAsync();
        var platform = new DurablePlatform(app);
        // Started concurrently with the web server, the silo may still be joining: wait for readiness.
        using var client = app.GetTestClient();
        for (var i = 0; i < 200 && !(await client.GetAsync("/health/ready")).IsSuccessStatusCode; i++) await Task.Delay(100);
        return platform;
    }

    public HttpClient Client(string? role = null, string? commune = null, string? citizenId = null)
    {
        var client = App.GetTestClient();
        if (role is not null)
        {
            var token = TokenIssuer.Issue(new HueAuthOptions { SigningKey = SigningKey }, role, commune, citizenId);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
