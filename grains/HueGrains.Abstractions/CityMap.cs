using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HueGrains;

public enum CommuneType { Ward, Commune }

/// <summary>A ward (phường) or commune (xã) of Huế, from the national administrative map (seed data).</summary>
[GenerateSerializer, Immutable, Alias("hue.CommuneInfo")]
public sealed record CommuneInfo(
    [property: Id(0)] string Code,
    [property: Id(1)] string Name,
    [property: Id(2)] CommuneType Type,
    [property: Id(3)] string FullNameVi);

/// <summary>The city of Huế and its 40 wards and communes (Resolution 1675/NQ-UBTVQH15, effective 2025-07-01).</summary>
public static class CityMap
{
    public const string CityName = "Huế";

    private static readonly Lazy<(IReadOnlyList<CommuneInfo> List, FrozenDictionary<string, CommuneInfo> ByCode)> Map = new(Load);

    public static IReadOnlyList<CommuneInfo> Communes => Map.Value.List;

    public static CommuneInfo? Find(string code) => Map.Value.ByCode.GetValueOrDefault(code);

    private static (IReadOnlyList<CommuneInfo>, FrozenDictionary<string, CommuneInfo>) Load()
    {
        using var stream = typeof(CityMap).Assembly.GetManifestResourceStream("HueGrains.Seed.communes.json")
            ?? throw new InvalidOperationException("The seed map of communes is missing from the assembly.");
        var seed = JsonSerializer.Deserialize<SeedFile>(stream, SeedJson.Options)
            ?? throw new InvalidOperationException("The seed map of communes is empty.");
        var list = seed.Units
            .Select(u => new CommuneInfo(u.Code, u.Name, u.Type == "ward" ? CommuneType.Ward : CommuneType.Commune, u.FullNameVi))
            .ToList();
        return (list, list.ToFrozenDictionary(c => c.Code));
    }

    private sealed record SeedFile(List<SeedUnit> Units);

    private sealed record SeedUnit(string Code, string Name, string Type, string FullNameVi);
}

internal static class SeedJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };
}
