using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HueGrains.Api.Endpoints;

/// <summary>
/// The communes' boundaries as <c>communes.geojson</c> writes them, serialised once per boundary version: a request
/// copies these bytes and adds only the live properties, instead of parsing every boundary (up to 100,000 positions
/// each) again. One entry per commune, replaced when its boundary's version moves.
/// </summary>
public sealed class MapOutlines
{
    private readonly ConcurrentDictionary<string, (long Version, int Length, byte[] Json)> _byCommune = new(StringComparer.Ordinal);

    /// <summary>The geometry's JSON, exactly as serialising the parsed GeoJSON writes it.</summary>
    public byte[] Of(string commune, long version, string geometryJson)
    {
        // The length too: a version number can come back (an embedded boundaries grain restarted, a restored sequence).
        if (_byCommune.TryGetValue(commune, out var cached) && cached.Version == version && cached.Length == geometryJson.Length) return cached.Json;
        var json = JsonSerializer.SerializeToUtf8Bytes(JsonNode.Parse(geometryJson));
        // Version 0 is a silo that does not send versions yet (a rolling upgrade): nothing to key on, so nothing kept.
        if (version > 0) _byCommune[commune] = (version, geometryJson.Length, json);
        return json;
    }
}
