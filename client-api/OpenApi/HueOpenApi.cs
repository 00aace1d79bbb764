using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace HueGrains.Api.OpenApi;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>, the contract HueGrains.Client is generated from (clients/generate.sh).
/// Endpoints declare their own answers (typed results, <c>Produces</c>); what every endpoint shares is added here, from
/// the same metadata and middleware that produce it: the security each policy asks for, 401/403 where a policy can
/// refuse, problem details for every error, 429 from the rate limits and 503 from the transient-failure mapping.
/// </summary>
public static class HueOpenApi
{
    public const string DocumentName = "v1";

    /// <summary>Security scheme names in the document.</summary>
    public const string Bearer = "bearer", DeviceKey = "deviceKey";

    public static IServiceCollection AddHueOpenApi(this IServiceCollection services) => services.AddOpenApi(DocumentName, o =>
    {
        o.AddOperationTransformer<SecurityRequirements>();
        o.AddDocumentTransformer<CommonAnswers>();
        o.AddSchemaTransformer(NumbersAsNumbers);
    });

    /// <summary>
    /// The platform writes numbers as JSON numbers; that it also reads "12" for 12 (the web defaults) is leniency, not
    /// contract, and "integer or string" would give generated clients a wrapper type for every number.
    /// </summary>
    private static Task NumbersAsNumbers(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && (type & JsonSchemaType.String) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        return Task.CompletedTask;
    }
}
