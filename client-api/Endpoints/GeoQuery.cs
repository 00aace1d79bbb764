using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HueGrains.Api.Endpoints;

/// <summary>A GeoJSON FeatureCollection as the lists answer it (<c>Accept: application/geo+json</c>), for the document.</summary>
public sealed record GeoJsonFeatureCollection(string Type, IReadOnlyList<GeoJsonFeature> Features, string? NextCursor);

/// <summary>One item: a Point geometry (null when the item has no position) and the item's JSON as properties.</summary>
public sealed record GeoJsonFeature(string Type, string? Id, JsonObject? Geometry, JsonObject Properties);

/// <summary>
/// The geo filters of the lists: <c>near=lat,lon&amp;radius=m</c> or <c>bbox=minLon,minLat,maxLon,maxLat</c> (WGS 84),
/// and the GeoJSON form of an answer. Each bad value is a 400 naming its query parameter.
/// </summary>
public static class GeoQuery
{
    public const string GeoJsonType = "application/geo+json";

    /// <summary>The largest radius: the city spans about 100 km, a wider circle is not a "near" question.</summary>
    public const double MaxRadiusMeters = 50_000;

    public static GeoArea? Parse(string? near, string? radius, string? bbox)
    {
        if (bbox is not null && (near is not null || radius is not null))
            throw new HueValidationException("bbox", "Give near and radius, or bbox, not both.");
        if (bbox is not null) return Box(bbox);
        if (near is null && radius is null) return null;
        if (near is null) throw new HueValidationException("near", "radius needs near=latitude,longitude (e.g. near=16.4637,107.5909).");
        var parts = near.Split(',');
        if (parts.Length != 2 || !TryNumber(parts[0], out var lat) || !TryNumber(parts[1], out var lon))
            throw new HueValidationException("near", "near is latitude,longitude in degrees, e.g. near=16.4637,107.5909.");
        return Circle(lat, lon, radius, "near", "near", "radius");
    }

    /// <summary>Open311's extension: <c>lat</c>, <c>long</c> and <c>radius</c> (metres) as separate parameters.</summary>
    public static GeoArea? Open311(string? lat, string? lon, string? radius)
    {
        if (lat is null && lon is null && radius is null) return null;
        if (lat is null || !TryNumber(lat, out var latitude)) throw new HueValidationException("lat", "lat is the latitude in degrees, with long and radius.");
        if (lon is null || !TryNumber(lon, out var longitude)) throw new HueValidationException("long", "long is the longitude in degrees, with lat and radius.");
        return Circle(latitude, longitude, radius, "lat", "long", "radius");
    }

    private static GeoArea Circle(double lat, double lon, string? radius, string latField, string lonField, string radiusField)
    {
        CheckPosition(lat, lon, latField, lonField);
        if (radius is null) throw new HueValidationException(radiusField, $"A radius in metres (more than 0, at most {MaxRadiusMeters:0}) is required.");
        if (!TryNumber(radius, out var meters) || meters <= 0 || meters > MaxRadiusMeters)
            throw new HueValidationException(radiusField, $"The radius is in metres: more than 0 and at most {MaxRadiusMeters:0} (50 km).");
        return GeoArea.Circle(new GeoPoint(lat, lon), meters);
    }

    private static void CheckPosition(double lat, double lon, string latField, string lonField)
    {
        var swapped = lat is < -90 or > 90 && lon is >= -90 and <= 90 || !VietnamBounds.Contains(lat, lon) && VietnamBounds.Contains(lon, lat);
        if (swapped)
            throw new HueValidationException(latField, $"({Text(lat)}, {Text(lon)}) looks swapped: give the latitude first, then the longitude (Huế is near 16.46, 107.59).");
        if (lat is < -90 or > 90) throw new HueValidationException(latField, "Latitude must be within -90..90.");
        if (lon is < -180 or > 180) throw new HueValidationException(lonField, "Longitude must be within -180..180.");
    }

    private static GeoArea Box(string bbox)
    {
        var parts = bbox.Split(',');
        var numbers = new double[4];
        if (parts.Length != 4 || parts.Select((p, i) => TryNumber(p, out numbers[i])).Any(ok => !ok))
            throw new HueValidationException("bbox", "bbox is minLon,minLat,maxLon,maxLat in degrees, e.g. bbox=107.55,16.44,107.62,16.49.");
        var (minLon, minLat, maxLon, maxLat) = (numbers[0], numbers[1], numbers[2], numbers[3]);
        if (!VietnamBounds.Contains(minLat, minLon) && VietnamBounds.Contains(minLon, minLat) && VietnamBounds.Contains(maxLon, maxLat))
            throw new HueValidationException("bbox", "bbox looks swapped: it is minLon,minLat,maxLon,maxLat (longitude first, as GeoJSON).");
        if (minLat is < -90 or > 90 || maxLat is < -90 or > 90 || minLon is < -180 or > 180 || maxLon is < -180 or > 180)
            throw new HueValidationException("bbox", "bbox latitudes are within -90..90 and longitudes within -180..180.");
        if (minLon >= maxLon || minLat >= maxLat)
            throw new HueValidationException("bbox", "bbox is minLon,minLat,maxLon,maxLat: each minimum below its maximum.");
        return GeoArea.Box(minLon, minLat, maxLon, maxLat);
    }

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static string Text(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    public static bool WantsGeoJson(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains(GeoJsonType, StringComparison.OrdinalIgnoreCase));

    /// <summary>The items as a FeatureCollection: each a Point (or no geometry) with the item's JSON as properties.</summary>
    public static IResult Features<T>(IEnumerable<T> items, Func<T, (string? Id, double? Latitude, double? Longitude)> place, string? nextCursor = null)
    {
        var features = new JsonArray();
        foreach (var item in items)
        {
            var (id, lat, lon) = place(item);
            features.Add(new JsonObject
            {
                ["type"] = "Feature",
                ["id"] = id,
                ["geometry"] = Point(lat, lon),
                ["properties"] = JsonSerializer.SerializeToNode(item, HueJson.Options),
            });
        }
        var collection = new JsonObject { ["type"] = "FeatureCollection", ["features"] = features };
        if (nextCursor is not null) collection["nextCursor"] = nextCursor;
        return Answer(collection);
    }

    public static JsonObject? Point(double? latitude, double? longitude) =>
        latitude is { } lat && longitude is { } lon ? new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(lon, lat) } : null;

    public static IResult Answer(JsonNode document) => TypedResults.Bytes(JsonSerializer.SerializeToUtf8Bytes(document), GeoJsonType);
}
