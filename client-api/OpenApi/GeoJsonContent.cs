using HueGrains.Api.Endpoints;
using Microsoft.OpenApi;

namespace HueGrains.Api.OpenApi;

/// <summary>
/// A list that answers JSON, or GeoJSON when asked (<c>Accept: application/geo+json</c>): the document shows both under
/// 200. A second <c>Produces</c> for the same status would replace the JSON answer instead of adding to it.
/// </summary>
public static class GeoJsonContent
{
    public static RouteHandlerBuilder ProducesGeoJsonToo(this RouteHandlerBuilder endpoint) => endpoint.AddOpenApiOperationTransformer(async (operation, context, ct) =>
    {
        if (operation.Responses?.TryGetValue("200", out var answer) != true || answer is not OpenApiResponse ok) return;
        var document = context.Document!;
        var schema = await context.GetOrCreateSchemaAsync(typeof(GeoJsonFeatureCollection), cancellationToken: ct);
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas.TryAdd(nameof(GeoJsonFeatureCollection), schema);
        ok.Content ??= new Dictionary<string, OpenApiMediaType>();
        ok.Content[GeoQuery.GeoJsonType] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(nameof(GeoJsonFeatureCollection), document) };
    });
}
