using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace HueGrains.Silo;

/// <summary>
/// OpenTelemetry: the platform's meter, Orleans', Npgsql's, ASP.NET Core's and the runtime's, in Prometheus text at
/// <c>/metrics</c>; traces from request to grain to database when an OTLP endpoint is configured
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); JSON logs with <c>Hue__Logging__Json=true</c>.
/// </summary>
public static class Telemetry
{
    public static readonly string[] Meters = [HueMetrics.MeterName, "Microsoft.Orleans", "Npgsql"];
    public static readonly string[] TraceSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application", "Npgsql"];

    public static bool TracingEnabled(IConfiguration configuration) => !string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static WebApplicationBuilder AddHueTelemetry(this WebApplicationBuilder builder)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("huegrains", serviceInstanceId: Environment.MachineName))
            .WithMetrics(m => m.AddMeter(Meters).AddAspNetCoreInstrumentation().AddRuntimeInstrumentation().AddPrometheusExporter());
        if (TracingEnabled(builder.Configuration))
            telemetry.WithTracing(t => t.AddSource(TraceSources).AddAspNetCoreInstrumentation().AddOtlpExporter());
        if (builder.Configuration.GetValue<bool>("Hue:Logging:Json"))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
        }
        return builder;
    }

    /// <summary>
    /// With <c>Hue:Metrics:Port</c>, that port answers <c>/metrics</c> to anyone and nothing else (404); the API port then has
    /// no /metrics. The local port decides, never the Host header, which a client chooses.
    /// </summary>
    public static WebApplication UseHueMetricsPort(this WebApplication app)
    {
        if (MetricsPort(app) is not { } port) return app;
        app.MapWhen(http => http.Connection.LocalPort == port, scrape => scrape
            .UseOpenTelemetryPrometheusScrapingEndpoint(http => http.Request.Path == MetricsPath)
            .Run(http =>
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }));
        return app;
    }

    /// <summary>Host names, Orleans internals and traffic are nobody else's business: operators only, unless on the scrape port.</summary>
    public static WebApplication MapHueTelemetry(this WebApplication app)
    {
        if (MetricsPort(app) is null) app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(Api.Auth.Policies.Operator);
        return app;
    }

    private const string MetricsPath = "/metrics";

    private static int? MetricsPort(WebApplication app) => app.Services.GetRequiredService<IOptions<HueHostOptions>>().Value.Metrics.Port;
}
