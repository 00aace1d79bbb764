namespace HueGrains;

/// <summary>Great-circle distance (haversine, mean Earth radius), as SQL function <c>hue_distance_m</c> computes it.</summary>
public static class GeoDistance
{
    private const double EarthRadiusMeters = 6_371_008.8;

    public static double Meters(double lat1, double lon1, double lat2, double lon2)
    {
        static double Rad(double degrees) => degrees * Math.PI / 180;
        var a = Math.Pow(Math.Sin(Rad(lat2 - lat1) / 2), 2) + Math.Cos(Rad(lat1)) * Math.Cos(Rad(lat2)) * Math.Pow(Math.Sin(Rad(lon2 - lon1) / 2), 2);
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    /// <summary>Degrees of latitude (and, at Huế's latitude, of longitude) that hold at least <paramref name="meters"/>: a bounding-box prefilter.</summary>
    public static double DegreesAround(double meters) => meters / 100_000;

    /// <summary>Where a position may be: Vietnam's mainland and islands (a swapped latitude/longitude lands outside).</summary>
    public static bool InVietnam(double latitude, double longitude) => latitude is >= 8 and <= 23.5 && longitude is >= 102 and <= 117.5;
}
