namespace HueGrains;

/// <summary>The profile a citizen gives once; every procedure reuses it.</summary>
[GenerateSerializer, Immutable, Alias("hue.CitizenProfile")]
public sealed record CitizenProfile(
    [property: Id(0)] string FullName,
    [property: Id(1)] DateOnly DateOfBirth,
    [property: Id(2)] string NationalId,
    [property: Id(3)] string Phone,
    [property: Id(4)] string HomeCommune)
{
    /// <summary>The value of a profile field a procedure asks for, formatted for the dossier form.</summary>
    public string? Field(string field) => field switch
    {
        "fullName" => FullName,
        "dateOfBirth" => DateOfBirth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        "nationalId" => NationalId,
        "phone" => Phone,
        "homeCommune" => HomeCommune,
        _ => null,
    };
}

/// <summary>What a citizen may change later; the national ID and date of birth are identity and stay as registered.</summary>
[GenerateSerializer, Immutable, Alias("hue.ProfileChange")]
public sealed record ProfileChange(
    [property: Id(0)] string? FullName,
    [property: Id(1)] string? Phone,
    [property: Id(2)] string? HomeCommune);

/// <summary>The citizen's choices about sharing their profile.</summary>
[GenerateSerializer, Immutable, Alias("hue.Consents")]
public sealed record Consents(
    // Procedures pre-fill their forms from the profile (once-only); without it the applicant types the fields each time.
    [property: Id(0)] bool ReuseForProcedures = true,
    // Officials of the home commune may open the profile outside a dossier they handle.
    [property: Id(1)] bool OfficialsMayViewProfile = false);

[GenerateSerializer, Immutable, Alias("hue.ProfileVersion")]
public sealed record ProfileVersion(
    [property: Id(0)] int Version,
    [property: Id(1)] CitizenProfile Profile,
    [property: Id(2)] DateTimeOffset ChangedAt,
    [property: Id(3)] string ChangedByRole);

/// <summary>One read of a citizen's personal data by someone else: who (role, commune, account), when, why, for which dossier.</summary>
[GenerateSerializer, Immutable, Alias("hue.AccessEntry")]
public sealed record AccessEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string ReaderRole,
    [property: Id(2)] string? ReaderCommune,
    [property: Id(3)] string? ReaderAccount,
    [property: Id(4)] string Purpose,
    [property: Id(5)] string? CaseId,
    // Its place in the citizen's log (the cursor's tie-breaker): entries are appended, never changed.
    [property: Id(6)] string EntryId = "");

/// <summary>A request to read personal data: by whom, and for what (a dossier, when there is one).</summary>
[GenerateSerializer, Immutable, Alias("hue.DataAccess")]
public sealed record DataAccess(
    [property: Id(0)] Actor Reader,
    [property: Id(1)] string Purpose,
    [property: Id(2)] string? CaseId = null,
    // Filing at the counter: the code the citizen created to show they are there.
    [property: Id(3)] string? CounterCode = null);

/// <summary>A short-lived, single-use code a citizen gives an official at the counter to file a dossier on their behalf.</summary>
[GenerateSerializer, Immutable, Alias("hue.CounterCode")]
public sealed record CounterCode([property: Id(0)] string Code, [property: Id(1)] DateTimeOffset ExpiresAt)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
}

public static class AccessPurposes
{
    public const string Profile = "profile";
    public const string ProfileUpdate = "profile-update";
    public const string CaseFiling = "case-filing";
    public const string CaseHandling = "case-handling";
}

[GenerateSerializer, Immutable, Alias("hue.CitizenView")]
public sealed record CitizenView(
    [property: Id(0)] string Id,
    [property: Id(1)] CitizenProfile Profile,
    [property: Id(2)] DateTimeOffset RegisteredAt,
    [property: Id(3)] IReadOnlyList<string> Cases,
    [property: Id(4)] IReadOnlyList<string> Feedback,
    [property: Id(5)] int Version = 1,
    [property: Id(6)] Consents? Consents = null);

[Alias("hue.ICitizenGrain")]
public interface ICitizenGrain : IGrainWithStringKey
{
    /// <summary>Registers the profile; a national ID already registered to another citizen is refused.</summary>
    [Alias("Register")]
    Task<CitizenView> Register(CitizenProfile profile, Consents? consents = null, CancellationToken ct = default);

    /// <summary>
    /// The profile for <paramref name="access"/>'s reader: the citizen; an official filing at the counter with the code the
    /// citizen created (single use); or an official of the home commune when the citizen consents. Every read by someone
    /// else is recorded. Null when unregistered.
    /// </summary>
    [Alias("Read")]
    Task<CitizenView?> Read(DataAccess access, CancellationToken ct = default);

    /// <summary>Records a read of the citizen's data made elsewhere (a dossier's form holds part of the profile).</summary>
    [Alias("RecordAccess")]
    Task RecordAccess(DataAccess access, CancellationToken ct = default);

    [Alias("UpdateProfile")]
    Task<CitizenView> UpdateProfile(ProfileChange change, Actor actor, CancellationToken ct = default);

    [Alias("SetConsents")]
    Task<CitizenView> SetConsents(Consents consents, Actor actor, CancellationToken ct = default);

    /// <summary>Every version of the profile, oldest first (the citizen only).</summary>
    [Alias("Versions")]
    Task<IReadOnlyList<ProfileVersion>> Versions(Actor actor, CancellationToken ct = default);

    /// <summary>Who read the citizen's data, newest first (the citizen only).</summary>
    [Alias("AccessLog")]
    Task<IReadOnlyList<AccessEntry>> AccessLog(Actor actor, PageCursor? after, int limit, CancellationToken ct = default);

    /// <summary>The citizen creates a code for filing at the counter (valid <see cref="CounterCode.Lifetime"/>, once).</summary>
    [Alias("CreateCounterCode")]
    Task<CounterCode> CreateCounterCode(Actor actor, CancellationToken ct = default);

    [Alias("LinkCase")]
    Task LinkCase(string caseId, CancellationToken ct = default);

    [Alias("LinkFeedback")]
    Task LinkFeedback(string feedbackId, CancellationToken ct = default);

    /// <summary>Counts one more dossier or report created for this citizen against their quota; 429 when it is used up.</summary>
    [Alias("TakeQuota")]
    Task TakeQuota(EntityKind kind, CancellationToken ct = default);
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
