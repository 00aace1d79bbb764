using HueGrains.Api;
using HueGrains.Grains;
using HueGrains.Simulator;
using Orleans.Configuration;

namespace HueGrains.Silo;

/// <summary>Composes the one executable: a silo, the HTTP API as its front end, or both in one process.</summary>
public static class HueHost
{
    public static WebApplicationBuilder AddHuePlatform(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Hue").Get<HueHostOptions>() ?? new HueHostOptions();
        builder.Services.AddOptions<HueHostOptions>().BindConfiguration("Hue").ValidateDataAnnotations().ValidateOnStart();
        builder.WebHost.UseUrls($"http://{options.Http.Host}:{options.Http.Port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.Http.MaxRequestBodyBytes);

        var orleans = options.Orleans;
        if (options.Role is PlatformRole.All or PlatformRole.Silo)
        {
            builder.UseOrleans(silo => silo
                .Configure<ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (orleans.ClusterId, orleans.ServiceId))
                .UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort)
                .AddHueInMemoryProviders()
                .AddHueGrains());
        }
        else
        {
            builder.UseOrleansClient(client => client
                .Configure<ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (orleans.ClusterId, orleans.ServiceId))
                .UseLocalhostClustering(orleans.GatewayPort));
        }

        builder.Services.AddHueApi();
        if (options.Demo) builder.Services.AddHostedService<CitySimulator>();
        return builder;
    }

    public static WebApplication MapHuePlatform(this WebApplication app)
    {
        var role = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HueHostOptions>>().Value.Role;
        app.MapHueApi();
        if (role == PlatformRole.Silo) app.MapGet("/", () => "HueGrains silo: grains only; the API runs in 'all' and 'api' roles.").AllowAnonymous();
        return app;
    }
}
