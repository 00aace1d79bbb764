namespace HueGrains;

/// <summary>A WGS 84 position in degrees.</summary>
[GenerateSerializer, Immutable, Alias("hue.GeoPoint")]
public sealed record GeoPoint([property: Id(0)] double Latitude, [property: Id(1)] double Longitude);

/// <summary>
/// Where a geo query looks: a circle (<c>near=lat,lon&amp;radius=m</c>) or a box (<c>bbox=minLon,minLat,maxLon,maxLat</c>).
/// Both stores answer it the same way: a latitude/longitude box first (what an index serves), then the exact test.
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.GeoArea")]
public sealed record GeoArea(
    [property: Id(0)] double MinLatitude,
    [property: Id(1)] double MinLongitude,
    [property: Id(2)] double MaxLatitude,
    [property: Id(3)] double MaxLongitude,
    // Set for a circle: its centre and radius; the box above then encloses it.
    [property: Id(4)] GeoPoint? Centre = null,
    [property: Id(5)] double? RadiusMeters = null)
{
    public static GeoArea Box(double minLon, double minLat, double maxLon, double maxLat) => new(minLat, minLon, maxLat, maxLon);

    /// <summary>A circle and the box that encloses it (degrees of longitude shrink with the cosine of the latitude).</summary>
    public static GeoArea Circle(GeoPoint centre, double radiusMeters)
    {
        var dLat = radiusMeters / GeoDistance.MetersPerDegree;
        var dLon = radiusMeters / (GeoDistance.MetersPerDegree * Math.Max(0.01, Math.Cos(centre.Latitude * Math.PI / 180)));
        return new GeoArea(centre.Latitude - dLat, centre.Longitude - dLon, centre.Latitude + dLat, centre.Longitude + dLon, centre, radiusMeters);
    }

    public bool Contains(double? latitude, double? longitude) =>
        latitude is { } lat && longitude is { } lon
        && lat >= MinLatitude && lat <= MaxLatitude && lon >= MinLongitude && lon <= MaxLongitude
        && (Centre is not { } c || GeoDistance.Meters(c.Latitude, c.Longitude, lat, lon) <= RadiusMeters);
}

public static class GeoDistance
{
    /// <summary>The mean Earth radius (IUGG), as the SQL function <c>hue_distance_m</c> uses.</summary>
    public const double EarthRadiusMeters = 6_371_008.8;

    public const double MetersPerDegree = EarthRadiusMeters * Math.PI / 180;

    /// <summary>Great-circle distance by the haversine formula; metres.</summary>
    public static double Meters(double lat1, double lon1, double lat2, double lon2)
    {
        const double rad = Math.PI / 180;
        var dLat = (lat2 - lat1) * rad;
        var dLon = (lon2 - lon1) * rad;
        var a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) + Math.Cos(lat1 * rad) * Math.Cos(lat2 * rad) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}

/// <summary>Vietnam's bounding box: every coordinate of a commune boundary lies inside it.</summary>
public static class VietnamBounds
{
    public const double MinLongitude = 102.1, MaxLongitude = 109.5, MinLatitude = 8.4, MaxLatitude = 23.4;

    public static bool Contains(double latitude, double longitude) =>
        latitude is >= MinLatitude and <= MaxLatitude && longitude is >= MinLongitude and <= MaxLongitude;
}
