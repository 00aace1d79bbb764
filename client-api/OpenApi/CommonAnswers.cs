using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HueGrains.Api.OpenApi;

/// <summary>
/// What every operation shares, added once the operations are described: the security schemes, 429 (the per-client
/// rate limit, or the live-stream gate) and 503 (a transient cluster or database failure, HueExceptionHandler), 400 where
/// a body or a typed parameter can fail to bind, and an RFC 7807 problem body for every error answer that declares none.
/// The document carries no server address (it is the same wherever it is served; clients know where they call).
/// </summary>
public sealed class CommonAnswers : IOpenApiDocumentTransformer
{
    public const string ProblemContentType = "application/problem+json";

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info = new OpenApiInfo
        {
            Title = "HueGrains API",
            Version = HueOpenApi.DocumentName,
            Description = "Huế's city data platform: indicators, sensors and alerts, the change feed and webhook subscriptions, "
                + "Hue-S reports, administrative dossiers, citizens' profiles, Open311 and open data. Errors are RFC 7807 problem details.",
        };
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[HueOpenApi.Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
            Description = "A platform token (HS256) of a citizen, official, leader or operator: `silo token` issues them.",
        };
        document.Components.SecuritySchemes[HueOpenApi.DeviceKey] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = Auth.DeviceKeyAuthentication.Header,
            Description = "A sensor's device key, issued when the sensor is provisioned or its key rotated (readings only).",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        var problem = await SchemaAsync(document, context, typeof(ProblemDetails), nameof(ProblemDetails), ct);
        var validation = await SchemaAsync(document, context, typeof(HttpValidationProblemDetails), nameof(HttpValidationProblemDetails), ct);

        foreach (var operation in (document.Paths ?? []).Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()))
        {
            operation.Responses ??= [];
            if (BindingCanFail(operation)) operation.Responses.TryAdd("400", new OpenApiResponse { Description = "A field of the request is missing or invalid; errors names it." });
            operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Too many requests from this client: wait for Retry-After seconds." });
            operation.Responses.TryAdd("503", new OpenApiResponse { Description = "The platform is recovering from a failure: retry after Retry-After seconds." });
            foreach (var (status, answer) in operation.Responses)
            {
                if (answer is not OpenApiResponse response || !int.TryParse(status, out var code) || code < 400) continue;
                if (string.IsNullOrEmpty(response.Description)) response.Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(code);
                if (response.Content is { Count: > 0 }) continue;
                response.Content = new Dictionary<string, OpenApiMediaType>
                {
                    [ProblemContentType] = new() { Schema = code == 400 ? validation : problem },
                };
            }
        }
    }

    /// <summary>A JSON body or a parameter that is not a plain string can be malformed: the platform answers 400 naming it.</summary>
    private static bool BindingCanFail(OpenApiOperation operation) =>
        operation.RequestBody is not null
        || (operation.Parameters ?? []).Any(p => p.Schema is { } s && (s.Type & ~JsonSchemaType.Null) != JsonSchemaType.String);

    private static async Task<IOpenApiSchema> SchemaAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, Type type, string name, CancellationToken ct)
    {
        if (!document.Components!.Schemas!.ContainsKey(name)) document.Components.Schemas[name] = await context.GetOrCreateSchemaAsync(type, cancellationToken: ct);
        return new OpenApiSchemaReference(name, document);
    }
}
