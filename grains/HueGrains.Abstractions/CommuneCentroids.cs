using System.Collections.Frozen;
using System.Text.Json;

namespace HueGrains;

/// <summary>
/// Approximate centre points of the 40 communes (Seed/centroids.json): hand-placed near the main predecessor unit's
/// centre, precise to a few kilometres only. They stand in for a commune until its official boundary is loaded.
/// </summary>
public static class CommuneCentroids
{
    private static readonly Lazy<FrozenDictionary<string, GeoPoint>> Points = new(Load);

    public static GeoPoint? Find(string code) => Points.Value.TryGetValue(code, out var point) ? point : null;

    public static IReadOnlyDictionary<string, GeoPoint> All => Points.Value;

    private static FrozenDictionary<string, GeoPoint> Load()
    {
        using var stream = typeof(CommuneCentroids).Assembly.GetManifestResourceStream("HueGrains.Seed.centroids.json")
            ?? throw new InvalidOperationException("The seed centroids of communes are missing from the assembly.");
        var seed = JsonSerializer.Deserialize<SeedFile>(stream, SeedJson.Options)
            ?? throw new InvalidOperationException("The seed centroids of communes are empty.");
        return seed.Centroids.ToFrozenDictionary(c => c.Code, c => new GeoPoint(c.Latitude, c.Longitude));
    }

    private sealed record SeedFile(List<SeedCentroid> Centroids);

    private sealed record SeedCentroid(string Code, double Latitude, double Longitude);
}
