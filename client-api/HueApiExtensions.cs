using HueGrains.Api.Dashboard;
using HueGrains.Api.Endpoints;
using HueGrains.Api.Ingest;
using HueGrains.Api.Live;
using HueGrains.Api.Mqtt;
using HueGrains.Api.OpenApi;
using HueGrains.Api.OpenData;
using HueGrains.Api.Open311;
using HueGrains.Api.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Scalar.AspNetCore;

namespace HueGrains.Api;

public static class HueApiExtensions
{
    private const string DefaultScheme = "BearerOrDeviceKey";

    /// <summary>HTTP API services: JSON, problem details, JWT and device-key authentication, policies, OpenAPI, health.</summary>
    public static IServiceCollection AddHueApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o => HueJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // so malformed input reaches the problem mapper
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ClientText.Customize);
        services.AddExceptionHandler<HueExceptionHandler>();

        services.AddOptions<HueAuthOptions>().BindConfiguration(HueAuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // By default a request is its bearer token's, or, with a device key and no token, the key's device: so the rate
        // limiter sees devices as themselves, and an unknown key fails before any grain is called.
        services.AddAuthentication(DefaultScheme)
            .AddPolicyScheme(DefaultScheme, "Bearer token, or device key", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.ContainsKey(DeviceKeyAuthentication.Header) && !http.Request.Headers.ContainsKey("Authorization")
                    ? DeviceKeyAuthentication.Scheme : JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer()
            .AddScheme<AuthenticationSchemeOptions, DeviceKeyAuthentication>(DeviceKeyAuthentication.Scheme, null);
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<HueAuthOptions>>((jwt, auth) =>
            {
                jwt.MapInboundClaims = false;
                jwt.IncludeErrorDetails = false; // WWW-Authenticate says invalid_token, never why (signature, lifetime)
                jwt.Events = new JwtBearerEvents { OnMessageReceived = OperatorPages.ReadToken, OnChallenge = InvalidTokenOnly };
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Value.Issuer,
                    ValidAudience = auth.Value.Audience,
                    IssuerSigningKeys = SigningKeys.Accepted(auth.Value),
                    // Only what the platform signs with: HS256. Not HS384/HS512 with the same key, never "none".
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    LifetimeValidator = (notBefore, expires, token, parameters) =>
                        TokenLifetimes.Valid(notBefore, expires, token, auth.Value.MaxTokenLifetime, parameters.ClockSkew),
                    NameClaimType = HueClaims.Subject,
                    RoleClaimType = HueClaims.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
            });
        services.AddAuthorization(Policies.Configure);

        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DeviceRateLimiter>();
        services.AddSingleton<DeviceIngest>();
        services.AddSingleton<ViewBytes>();
        services.AddSingleton<MapOutlines>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IDeviceKeyIndex>(sp => new ProjectedDeviceKeys(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IdempotencySecret>();
        services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IDeviceKeyCheck, DeviceKeyCheck>();
        services.AddSingleton<MqttEdge>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttEdge>());

        services.AddOptions<Open311Options>().BindConfiguration(Open311Options.Section);
        PublicBaseUrlOptions.AddPublicBaseUrl(services);
        services.AddHueHardening();
        services.AddMetrics();
        services.TryAddSingleton<HueMetrics>();
        services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LiveGate>();
        services.AddSingleton<LiveFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveFeed>());
        services.AddOptions<SubscriptionOptions>().BindConfiguration(SubscriptionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IWebhookPayloads, WebhookPayloads>();
        services.AddOptions<NationalSyncOptions>().BindConfiguration(NationalSyncOptions.Section);
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHueOpenApi();
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        return services;
    }

    /// <summary>A token that was sent and refused: RFC 6750's <c>error="invalid_token"</c>, without a description.</summary>
    private static Task InvalidTokenOnly(JwtBearerChallengeContext context)
    {
        if (context.AuthenticateFailure is not null) (context.Error, context.ErrorDescription) = ("invalid_token", null);
        return Task.CompletedTask;
    }

    public static WebApplication MapHueApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseMiddleware<DeviceLane>(); // devices posting readings skip the rest of this pipeline
        app.UseStatusCodePages();
        app.UseHueHardening();
        app.UseAuthentication();
        app.UseOperatorPages(); // a page's ?access_token= becomes a cookie only once validated
        app.UseRateLimiter(); // after authentication: a client is its token's subject or its device key
        app.UseAuthorization();

        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();

        app.MapCityApi();
        app.MapBoundariesApi();
        app.MapChangesApi();
        app.MapSubscriptionsApi();
        app.MapSensorsApi();
        app.MapProvisioningApi();
        app.MapReadingsApi();
        app.MapAlertsApi();
        app.MapCitizensApi();
        app.MapNotificationsApi();
        app.MapCasesApi();
        app.MapFeedbackApi();
        app.MapFeedbackPhotosApi();
        app.MapOpen311Api();
        app.MapLiveApi();
        app.MapOpenDataApi();
        app.MapDashboard();
        return app;
    }
}
