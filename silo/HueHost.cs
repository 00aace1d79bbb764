using System.Net;
using HueGrains.Api;
using HueGrains.Grains;
using HueGrains.Persistence;
using HueGrains.Simulator;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using Orleans.Configuration;

namespace HueGrains.Silo;

/// <summary>Composes the one executable: a silo, the HTTP API as its front end, or both in one process.</summary>
public static class HueHost
{
    public const string ConnectionStringName = "Hue";

    /// <summary>
    /// A call whose target silo died unannounced waits this long before failing (503) instead of Orleans' 30 s, so
    /// devices retry while the cluster fails over. Normal calls, ingest included, answer in milliseconds.
    /// </summary>
    private static readonly TimeSpan ApiResponseTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan SiloResponseTimeout = TimeSpan.FromSeconds(10);

    /// <exception cref="UnsafeSettingsException">A secret is missing (the signing key in durable mode), a placeholder or malformed.</exception>
    public static WebApplicationBuilder AddHuePlatform(this WebApplicationBuilder builder)
    {
        SecretSettings.EnsureSafe(builder.Configuration);
        var options = builder.Configuration.GetSection("Hue").Get<HueHostOptions>() ?? new HueHostOptions();
        var database = builder.Configuration.GetConnectionString(ConnectionStringName);
        var durable = !string.IsNullOrWhiteSpace(database);
        builder.Services.AddOptions<HueHostOptions>().BindConfiguration("Hue").ValidateDataAnnotations().ValidateOnStart();
        builder.WebHost.UseUrls(options.Metrics.Port is { } metricsPort
            ? [$"http://{options.Http.Host}:{options.Http.Port}", $"http://{options.Metrics.Host ?? options.Http.Host}:{metricsPort}"]
            : [$"http://{options.Http.Host}:{options.Http.Port}"]);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.Http.MaxRequestBodyBytes);
        // Start the web server alongside the silo: while PostgreSQL is unreachable, /health/* must still answer.
        builder.Services.Configure<HostOptions>(h => h.ServicesStartConcurrently = true);
        // Kubernetes sends SIGTERM and waits: give the silo time to hand its grains over and leave the cluster.
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.AddHueTelemetry();
        var tracing = Telemetry.TracingEnabled(builder.Configuration);

        var orleans = options.Orleans;
        void Cluster(ClusterOptions c) => (c.ClusterId, c.ServiceId) = (orleans.ClusterId, orleans.ServiceId);
        if (options.Role is PlatformRole.All or PlatformRole.Silo)
        {
            builder.UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(Cluster)
                    .Configure<SiloMessagingOptions>(m => m.ResponseTimeout = SiloResponseTimeout)
                    .AddHueGrains();
                if (options.Dashboard) silo.AddHueDashboard(options.DashboardProfiling);
                if (tracing) silo.AddActivityPropagation();
                if (durable)
                {
                    silo.ConfigureEndpoints(AdvertisedAddress(orleans.Address), orleans.SiloPort, orleans.GatewayPort, listenOnAnyHostAddress: true)
                        .AddHuePostgres(database!);
                }
                else
                {
                    silo.UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort).AddHueInMemoryProviders();
                }
            });
            builder.Services.AddHealthChecks().AddCheck<SiloActiveHealthCheck>("silo", tags: ["ready"]);
            if (durable)
            {
                builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("postgresql", tags: ["ready"])
                    .AddCheck<ReadingJournalHealthCheck>("reading-journal", tags: ["ready"]);
            }
        }
        else
        {
            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(Cluster)
                    .Configure<ClientMessagingOptions>(m => m.ResponseTimeout = ApiResponseTimeout)
                    .Configure<GatewayOptions>(g => g.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5))
                    // Keep trying to reach the cluster rather than exiting: silos may start after the API.
                    .UseConnectionRetryFilter(async (_, ct) => { await Task.Delay(TimeSpan.FromSeconds(2), ct); return true; });
                // The MQTT edge follows alert streams; the client maps streams to the silos' queues.
                client.AddMemoryStreams(HueStreams.AlertsProvider, streams => streams.ConfigurePartitioning(HueSiloBuilderExtensions.AlertQueues));
                if (options.Dashboard) client.AddDashboard();
                if (tracing) client.AddActivityPropagation();
                if (durable) client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (HueDatabase.Invariant, database));
                else client.UseLocalhostClustering(orleans.GatewayPort);
            });
        }

        builder.Services.AddHueApi();
        if (options.Role == PlatformRole.Silo) builder.Services.Configure<Api.Mqtt.MqttOptions>(m => m.Enabled = false); // devices talk to the front ends
        if (options.Demo) builder.Services.AddHostedService<CitySimulator>();
        return builder;
    }

    /// <summary>An IP address, or a host name resolved once at start (a Compose service name); IPv4 preferred.</summary>
    private static IPAddress AdvertisedAddress(string address) =>
        IPAddress.TryParse(address, out var ip) ? ip
        : Dns.GetHostAddresses(address).OrderBy(a => a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork).First();

    public static WebApplication MapHuePlatform(this WebApplication app)
    {
        app.UseHueMetricsPort();
        app.MapHueApi();
        app.MapHueTelemetry();
        if (app.Services.GetRequiredService<IOptions<HueHostOptions>>().Value.Dashboard)
            app.MapOrleansDashboard("/dashboard").RequireAuthorization(Api.Auth.Policies.Operator).ExcludeFromDescription(); // a page, not API
        return app;
    }
}
