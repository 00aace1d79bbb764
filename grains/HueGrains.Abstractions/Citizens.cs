namespace HueGrains;

/// <summary>The profile a citizen gives once; every procedure reuses it.</summary>
[GenerateSerializer, Immutable, Alias("hue.CitizenProfile")]
public sealed record CitizenProfile(
    [property: Id(0)] string FullName,
    [property: Id(1)] DateOnly DateOfBirth,
    [property: Id(2)] string NationalId,
    [property: Id(3)] string Phone,
    [property: Id(4)] string HomeCommune);

[GenerateSerializer, Immutable, Alias("hue.CitizenView")]
public sealed record CitizenView(
    [property: Id(0)] string Id,
    [property: Id(1)] CitizenProfile Profile,
    [property: Id(2)] DateTimeOffset RegisteredAt,
    [property: Id(3)] IReadOnlyList<string> Cases,
    [property: Id(4)] IReadOnlyList<string> Feedback);

[Alias("hue.ICitizenGrain")]
public interface ICitizenGrain : IGrainWithStringKey
{
    /// <summary>Registers the profile; a national ID already registered to another citizen is refused.</summary>
    [Alias("Register")]
    Task<CitizenView> Register(CitizenProfile profile, CancellationToken ct = default);

    [Alias("Get")]
    Task<CitizenView?> Get(CancellationToken ct = default);

    [Alias("LinkCase")]
    Task LinkCase(string caseId, CancellationToken ct = default);

    [Alias("LinkFeedback")]
    Task LinkFeedback(string feedbackId, CancellationToken ct = default);
}

/// <summary>
/// Guarantees one citizen per national ID. Keyed by a SHA-256 of the ID, so the ID itself never becomes a grain key
/// (keys show up in logs and storage rows).
/// </summary>
[Alias("hue.INationalIdGrain")]
public interface INationalIdGrain : IGrainWithStringKey
{
    /// <summary>Claims the ID for <paramref name="citizenId"/>; returns the citizen that holds it (maybe another).</summary>
    [Alias("Claim")]
    Task<string> Claim(string citizenId, CancellationToken ct = default);
}
