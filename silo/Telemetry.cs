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

    public static WebApplication MapHueTelemetry(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous(); // no personal data; scrapers do not log in
        return app;
    }
}
