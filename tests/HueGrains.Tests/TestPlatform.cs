using HueGrains.Silo;
using HueGrains.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HueGrains.Tests;

/// <summary>The platform composed exactly as <c>dotnet run --project silo</c> does, with test settings on top.</summary>
public static class TestPlatform
{
    /// <summary>
    /// Starts it on free Orleans ports; in the test server unless <paramref name="httpPort"/> asks for real Kestrel.
    /// <paramref name="services"/> registers last, so its services replace the platform's.
    /// </summary>
    public static async Task<WebApplication> StartAsync(Dictionary<string, string?> settings, int? httpPort = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hue:Orleans:SiloPort"] = LoopbackPorts.FreeSetting(),
            ["Hue:Orleans:GatewayPort"] = LoopbackPorts.FreeSetting(),
            ["Hue:Http:Port"] = httpPort?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddHuePlatform();
        services?.Invoke(builder.Services);
        if (httpPort is null) builder.WebHost.UseTestServer();
        var app = builder.Build();
        app.MapHuePlatform();
        await app.StartAsync();
        return app;
    }

    public static async Task StopAsync(WebApplication app)
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
