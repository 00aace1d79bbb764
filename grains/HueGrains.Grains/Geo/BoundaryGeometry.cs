using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using NetTopologySuite.Operation.Valid;

namespace HueGrains.Grains.Geo;

/// <summary>
/// Reads and checks a commune boundary: GeoJSON Polygon or MultiPolygon (or a Feature wrapping one), WGS 84, closed
/// rings, valid by the OGC rules (no self-intersection), every position inside Vietnam. Each problem names the JSON
/// field it is in, e.g. <c>geometry.coordinates[0][3]</c>.
/// </summary>
public static class BoundaryGeometry
{
    /// <summary>Positions one boundary may have: an official ward outline has a few thousand; this bounds the work.</summary>
    public const int MaxPositions = 100_000;

    public static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    public static readonly JsonSerializerOptions GeoJson = new() { Converters = { new GeoJsonConverterFactory(Factory) } };

    /// <summary>The geometry, checked; its GeoJSON as stored (geometry only, normalised by NetTopologySuite).</summary>
    public static (Geometry Geometry, string Json) Parse(string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new HueValidationException("body", $"Not valid JSON: {e.Message}");
        }
        using (document)
        {
            var (element, prefix) = GeometryOf(document.RootElement);
            var field = prefix.Length == 0 ? "coordinates" : $"{prefix}.coordinates";
            CheckPositions(element, field);
            Geometry geometry;
            try
            {
                geometry = JsonSerializer.Deserialize<Geometry>(element.GetRawText(), GeoJson)
                    ?? throw new HueValidationException(field, "A geometry is required.");
            }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
            {
                throw new HueValidationException(field, $"Not a readable GeoJSON geometry: {e.Message}");
            }
            var error = new IsValidOp(geometry).ValidationError;
            if (error is not null)
                throw new HueValidationException(field,
                    $"Invalid geometry: {error.Message} at ({Number(error.Coordinate.X)}, {Number(error.Coordinate.Y)}).");
            return (geometry, JsonSerializer.Serialize(geometry, GeoJson));
        }
    }

    public static Geometry Read(string geometryJson) => JsonSerializer.Deserialize<Geometry>(geometryJson, GeoJson)!;

    private static (JsonElement Element, string Field) GeometryOf(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new HueValidationException("type", "The body is a GeoJSON Polygon, MultiPolygon or a Feature of one.");
        var type = TypeOf(root, "type");
        if (type == "Feature")
        {
            if (!root.TryGetProperty("geometry", out var geometry) || geometry.ValueKind != JsonValueKind.Object)
                throw new HueValidationException("geometry", "The Feature carries no geometry.");
            var inner = TypeOf(geometry, "geometry.type");
            if (inner is not ("Polygon" or "MultiPolygon"))
                throw new HueValidationException("geometry.type", $"A boundary is a Polygon or a MultiPolygon, not {inner}.");
            return (geometry, "geometry");
        }
        if (type is not ("Polygon" or "MultiPolygon"))
            throw new HueValidationException("type", $"A boundary is a Polygon, a MultiPolygon or a Feature of one, not {type}.");
        return (root, "");
    }

    private static string TypeOf(JsonElement element, string field) =>
        element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()!
            : throw new HueValidationException(field, "A GeoJSON 'type' is required.");

    /// <summary>Shape of the coordinate arrays, ring closure and each position's place, before any geometry is built.</summary>
    private static void CheckPositions(JsonElement geometry, string field)
    {
        if (!geometry.TryGetProperty("coordinates", out var coordinates) || coordinates.ValueKind != JsonValueKind.Array)
            throw new HueValidationException(field, "Coordinates are required.");
        var polygons = geometry.GetProperty("type").GetString() == "Polygon"
            ? [(coordinates, field)]
            : coordinates.EnumerateArray().Select((p, i) => (p, $"{field}[{i}]")).ToList();
        if (polygons.Count == 0) throw new HueValidationException(field, "A MultiPolygon needs at least one polygon.");
        var count = 0;
        foreach (var (polygon, polygonField) in polygons)
        {
            if (polygon.ValueKind != JsonValueKind.Array || polygon.GetArrayLength() == 0)
                throw new HueValidationException(polygonField, "A polygon is a list of rings: the outer one first, then holes.");
            var r = 0;
            foreach (var ring in polygon.EnumerateArray())
            {
                var ringField = $"{polygonField}[{r++}]";
                if (ring.ValueKind != JsonValueKind.Array || ring.GetArrayLength() < 4)
                    throw new HueValidationException(ringField, "A ring has at least 4 positions, the last equal to the first.");
                var positions = new List<(double Lon, double Lat)>();
                var p = 0;
                foreach (var position in ring.EnumerateArray())
                {
                    var positionField = $"{ringField}[{p++}]";
                    if (++count > MaxPositions) throw new HueValidationException(field, $"At most {MaxPositions} positions; simplify the boundary.");
                    positions.Add(Position(position, positionField));
                }
                if (positions[0] != positions[^1])
                    throw new HueValidationException(ringField, "The ring is not closed: its last position must equal its first.");
            }
        }
    }

    private static (double Lon, double Lat) Position(JsonElement position, string field)
    {
        if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() is < 2 or > 3
            || position.EnumerateArray().Any(n => n.ValueKind != JsonValueKind.Number))
            throw new HueValidationException(field, "A position is [longitude, latitude] in degrees (WGS 84).");
        var lon = position[0].GetDouble();
        var lat = position[1].GetDouble();
        if (VietnamBounds.Contains(lat, lon)) return (lon, lat);
        if (VietnamBounds.Contains(lon, lat))
            throw new HueValidationException(field,
                $"[{Number(lon)}, {Number(lat)}] looks swapped (latitude, longitude): GeoJSON positions are [longitude, latitude].");
        throw new HueValidationException(field,
            $"[{Number(lon)}, {Number(lat)}] lies outside Vietnam (longitude {VietnamBounds.MinLongitude}–{VietnamBounds.MaxLongitude}, latitude {VietnamBounds.MinLatitude}–{VietnamBounds.MaxLatitude}).");
    }

    private static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
