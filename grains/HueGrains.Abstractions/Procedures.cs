using System.Collections.Frozen;
using System.Text.Json;

namespace HueGrains;

public enum TimeLimitKind { SameDay, WorkingDays, CalendarDays }

/// <summary>
/// A statutory time limit. Same-day procedures filed after the cut-off (15:00 local time) are due the next working day;
/// <see cref="Cutoff"/> false means the same day whatever the hour (death and marriage registration).
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.TimeLimit")]
public sealed record TimeLimit(
    [property: Id(0)] TimeLimitKind Kind,
    [property: Id(1)] int Days = 0,
    [property: Id(2)] bool Cutoff = true);

[GenerateSerializer, Immutable, Alias("hue.Procedure")]
public sealed record Procedure(
    [property: Id(0)] string Code,
    [property: Id(1)] string NameVi,
    [property: Id(2)] string NameEn,
    [property: Id(3)] string Level,
    [property: Id(4)] TimeLimit Limit,
    [property: Id(5)] IReadOnlyList<string> ProfileFields,
    [property: Id(6)] IReadOnlyList<string> ExtraFields,
    // The procedure's code in the national database of administrative procedures (CSDL TTHC), e.g. "1.001193".
    // Verified: at least two independent public sources agree on it; none was checked in CSDL TTHC itself (README).
    [property: Id(7)] string? NationalCode = null,
    [property: Id(8)] bool NationalCodeVerified = false)
{
    /// <summary>Once-only: what the applicant must give — only the extra fields when the profile may be reused, else all.</summary>
    public IReadOnlyList<string> AskedFields(bool profileReused) => profileReused ? ExtraFields : [.. ProfileFields, .. ExtraFields];
}

/// <summary>The catalogue of administrative procedures (seed data).</summary>
public static class ProcedureCatalog
{
    private static readonly Lazy<(IReadOnlyList<Procedure> List, FrozenDictionary<string, Procedure> ByCode)> Catalog = new(Load);

    public static IReadOnlyList<Procedure> All => Catalog.Value.List;

    public static Procedure? Find(string? code) => code is null ? null : Catalog.Value.ByCode.GetValueOrDefault(code);

    private static (IReadOnlyList<Procedure>, FrozenDictionary<string, Procedure>) Load()
    {
        using var stream = typeof(ProcedureCatalog).Assembly.GetManifestResourceStream("HueGrains.Seed.procedures.json")
            ?? throw new InvalidOperationException("The seed catalogue of procedures is missing from the assembly.");
        var seed = JsonSerializer.Deserialize<SeedFile>(stream, SeedJson.Options)
            ?? throw new InvalidOperationException("The seed catalogue of procedures is empty.");
        return (seed.Procedures, seed.Procedures.ToFrozenDictionary(p => p.Code));
    }

    private sealed record SeedFile(List<Procedure> Procedures);
}
