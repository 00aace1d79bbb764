using System.Text.Json;

namespace HueGrains;

[GenerateSerializer, Immutable, Alias("hue.Holiday")]
public sealed record Holiday([property: Id(0)] DateOnly Date, [property: Id(1)] string Name);

/// <summary>Vietnam's public holidays for public offices (seed data; operators extend it with Hue:Calendar:Holidays).</summary>
public static class HolidaySeed
{
    private static readonly Lazy<IReadOnlyList<Holiday>> Seed = new(Load);

    public static IReadOnlyList<Holiday> All => Seed.Value;

    private static List<Holiday> Load()
    {
        using var stream = typeof(HolidaySeed).Assembly.GetManifestResourceStream("HueGrains.Seed.holidays.json")
            ?? throw new InvalidOperationException("The seed holiday calendar is missing from the assembly.");
        return JsonSerializer.Deserialize<SeedFile>(stream, SeedJson.Options)?.Holidays
            ?? throw new InvalidOperationException("The seed holiday calendar is empty.");
    }

    private sealed record SeedFile(List<Holiday> Holidays);
}
