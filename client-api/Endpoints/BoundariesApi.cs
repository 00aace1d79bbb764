using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HueGrains.Api.Endpoints;

/// <summary>
/// Commune boundaries (GeoJSON, WGS 84): operators load the official ones; anyone reads them, and the map of all 40
/// communes with their live indicators. A commune without a boundary appears as its approximate centroid.
/// </summary>
public static class BoundariesApi
{
    public static IEndpointRouteBuilder MapBoundariesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1").WithTags("Boundaries");
        group.MapPut("/communes/{code}/boundary", PutBoundary).WithName("PutCommuneBoundary").RequireAuthorization(Auth.Policies.Operator)
            .Accepts<Dictionary<string, object?>>(GeoQuery.GeoJsonType, "application/json")
            .Produces<GeoJsonFeature>(StatusCodes.Status200OK, GeoQuery.GeoJsonType).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Load a commune's official boundary: a GeoJSON Polygon or MultiPolygon (or a Feature of one), WGS 84.");
        group.MapGet("/communes/{code}/boundary", GetBoundary).WithName("GetCommuneBoundary").AllowAnonymous()
            .Produces<GeoJsonFeature>(StatusCodes.Status200OK, GeoQuery.GeoJsonType).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A commune's boundary as a GeoJSON Feature (404 while none is loaded).");
        group.MapGet("/communes.geojson", GetMap).WithName("GetCommunesMap").AllowAnonymous()
            .Produces<GeoJsonFeatureCollection>(StatusCodes.Status200OK, GeoQuery.GeoJsonType)
            .WithSummary("The 40 communes as a GeoJSON FeatureCollection: boundary, or approximate centroid, and live indicators.");
        return app;
    }

    public static async Task<IResult> PutBoundary(string code, HttpRequest request, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsCommune(code)) return NoCommune(code);
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(ct);
        if (body.Length == 0) throw new HueValidationException("body", "A GeoJSON Polygon or MultiPolygon is required.");
        var stored = await grains.GetGrain<IBoundariesGrain>(0).Put(code, body, ct);
        return GeoQuery.Answer(Feature(stored));
    }

    public static async Task<IResult> GetBoundary(string code, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsCommune(code)) return NoCommune(code);
        return await grains.GetGrain<IBoundariesGrain>(0).Get(code, ct) is { } boundary
            ? GeoQuery.Answer(Feature(boundary))
            : TypedResults.Problem($"Commune {code} has no boundary loaded yet; /api/v1/communes.geojson gives its approximate centroid.",
                statusCode: StatusCodes.Status404NotFound, title: "Not found.");
    }

    /// <summary>Geometry: the boundary, or a Point at the approximate centroid (<c>approximate: true</c>); indicators as the public sees them.</summary>
    // Written token by token with each boundary's cached bytes (MapOutlines) in place: the same bytes as serialising the
    // whole document as one tree, without parsing the boundaries on every request.
    public static async Task<IResult> GetMap(IGrainFactory grains, MapOutlines outlines, ClaimsPrincipal user, CancellationToken ct)
    {
        var shapes = await grains.GetGrain<IBoundariesGrain>(0).Shapes(ct);
        var summaries = (await grains.City().Get(ct)).Communes.ToDictionary(c => c.Code);
        var exact = PublicFigures.SeesExactCounts(user);
        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "FeatureCollection");
            writer.WriteStartArray("features");
            foreach (var shape in shapes)
            {
                var info = CityMap.Find(shape.Commune)!;
                var indicators = summaries.TryGetValue(shape.Commune, out var summary)
                    ? JsonSerializer.SerializeToNode(summary.Indicators, HueJson.Options)
                    : null;
                if (!exact) indicators = Disclosure.Apply(indicators, HueJson.Options);
                writer.WriteStartObject();
                writer.WriteString("type", "Feature");
                writer.WriteString("id", shape.Commune);
                writer.WritePropertyName("geometry");
                if (shape.GeometryJson is { } json) writer.WriteRawValue(outlines.Of(shape.Commune, shape.Version, json), skipInputValidation: true);
                else if (GeoQuery.Point(shape.Centroid?.Latitude, shape.Centroid?.Longitude) is { } point) point.WriteTo(writer);
                else writer.WriteNullValue();
                writer.WritePropertyName("properties");
                new JsonObject
                {
                    ["code"] = shape.Commune,
                    ["name"] = info.Name,
                    ["fullNameVi"] = info.FullNameVi,
                    ["approximate"] = shape.GeometryJson is null,
                    ["indicators"] = indicators,
                    ["updatedAt"] = summary?.UpdatedAt is { } at ? JsonValue.Create(at) : null,
                }.WriteTo(writer);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return TypedResults.Bytes(buffer.WrittenMemory.ToArray(), GeoQuery.GeoJsonType);
    }

    private static JsonObject Feature(CommuneBoundary boundary) => new()
    {
        ["type"] = "Feature",
        ["id"] = boundary.Commune,
        ["geometry"] = JsonNode.Parse(boundary.GeometryJson),
        ["properties"] = new JsonObject
        {
            ["code"] = boundary.Commune,
            ["name"] = CityMap.Find(boundary.Commune)?.Name,
            ["version"] = boundary.Version,
            ["updatedAt"] = boundary.UpdatedAt,
        },
    };

    private static ProblemHttpResult NoCommune(string code) =>
        TypedResults.Problem($"No commune has code '{code}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found.");
}
