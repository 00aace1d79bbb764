using Microsoft.Extensions.DependencyInjection;
using HueGrains.Grains.Domain;

namespace HueGrains.Grains;

/// <summary>
/// A citizen's profile, given once, with its versions, the citizen's consents and the log of who read it. Holds
/// personal data; its key is an opaque id, never the national ID.
/// </summary>
[GrainType("citizen")]
public sealed class CitizenGrain(
    [PersistentState("citizen", "hue")] IPersistentState<CitizenState> state,
    [FromKeyedServices(HueTime.Key)] TimeProvider clock) : Grain, ICitizenGrain
{
    /// <summary>References, versions and access entries kept in grain state (the newest ones).</summary>
    private const int MaxRefs = 100; // the newest; every one is in the paged lists /cases and /feedback
    private const int MaxVersions = 100;
    private const int MaxAccesses = 1000;

    private CitizenState S => state.State;
    private string Id => this.GetPrimaryKeyString();

    public async Task<CitizenView> Register(CitizenProfile profile, Consents? consents, CancellationToken ct)
    {
        if (S.Profile is not null) throw new HueConflictException("This citizen is already registered.");
        profile = CitizenRules.Normalize(profile, clock.GetUtcNow());
        var holder = await GrainFactory.GetGrain<INationalIdGrain>(CitizenRules.NationalIdKey(profile.NationalId)).Claim(Id, ct);
        if (holder != Id) throw new HueConflictException("A citizen with this national ID is already registered; data is given once.");
        S.RegisteredAt = clock.GetUtcNow();
        S.Consents = consents ?? new Consents();
        AddVersion(profile, Roles.Citizen);
        await state.WriteStateAsync(ct);
        return View();
    }

    public async Task<CitizenView?> Read(DataAccess access, CancellationToken ct)
    {
        if (S.Profile is null) return null;
        var reader = access.Reader;
        if (reader.IsCitizen(Id)) return View();
        var allowed = access.CaseId is not null // a dossier's own grain vouches for the purpose
            || (reader.IsOfficialOf(S.Profile.HomeCommune) && S.Consents.OfficialsMayViewProfile);
        if (!allowed)
            throw new HueForbiddenException(reader.Role == Roles.Official
                ? "This citizen has not agreed to officials opening their profile outside a dossier."
                : "A citizen's profile is theirs alone.");
        await RecordAccess(access, ct);
        return View();
    }

    public async Task RecordAccess(DataAccess access, CancellationToken ct)
    {
        if (access.Reader.IsCitizen(Id)) return;
        var r = access.Reader;
        S.Accesses.Add(new AccessEntry(clock.GetUtcNow(), r.Role, r.Commune, r.Subject, access.Purpose, access.CaseId));
        if (S.Accesses.Count > MaxAccesses) S.Accesses.RemoveAt(0);
        await state.WriteStateAsync(ct);
    }

    public async Task<CitizenView> UpdateProfile(ProfileChange change, Actor actor, CancellationToken ct)
    {
        var current = S.Profile ?? throw new HueNotFoundException("No such citizen.");
        if (!actor.IsCitizen(Id) && !actor.IsOfficialOf(current.HomeCommune))
            throw new HueForbiddenException("A profile is changed by the citizen, or by an official of their home commune at the counter.");
        var next = CitizenRules.Normalize(current with
        {
            FullName = change.FullName ?? current.FullName,
            Phone = change.Phone ?? current.Phone,
            HomeCommune = change.HomeCommune ?? current.HomeCommune,
        }, clock.GetUtcNow());
        if (next != current) AddVersion(next, actor.Role);
        if (!actor.IsCitizen(Id)) await RecordAccess(new DataAccess(actor, AccessPurposes.ProfileUpdate), ct); // writes the state too
        else if (next != current) await state.WriteStateAsync(ct);
        return View();
    }

    public async Task<CitizenView> SetConsents(Consents consents, Actor actor, CancellationToken ct)
    {
        EnsureSelf(actor);
        S.Consents = consents;
        await state.WriteStateAsync(ct);
        return View();
    }

    public Task<IReadOnlyList<ProfileVersion>> Versions(Actor actor, CancellationToken ct)
    {
        EnsureSelf(actor);
        return Task.FromResult<IReadOnlyList<ProfileVersion>>([.. S.Versions]);
    }

    public Task<IReadOnlyList<AccessEntry>> AccessLog(Actor actor, CancellationToken ct)
    {
        EnsureSelf(actor);
        return Task.FromResult<IReadOnlyList<AccessEntry>>([.. Enumerable.Reverse(S.Accesses)]);
    }

    public Task LinkCase(string caseId, CancellationToken ct) => Link(S.Cases, caseId, ct);

    public Task LinkFeedback(string feedbackId, CancellationToken ct) => Link(S.Feedback, feedbackId, ct);

    private void EnsureSelf(Actor actor)
    {
        if (S.Profile is null) throw new HueNotFoundException("No such citizen.");
        if (!actor.IsCitizen(Id)) throw new HueForbiddenException("Only the citizen may see or change this.");
    }

    private void AddVersion(CitizenProfile profile, string byRole)
    {
        S.Profile = profile;
        S.Versions.Add(new ProfileVersion((S.Versions.LastOrDefault()?.Version ?? 0) + 1, profile, clock.GetUtcNow(), byRole));
        if (S.Versions.Count > MaxVersions) S.Versions.RemoveAt(0);
    }

    private async Task Link(List<string> refs, string id, CancellationToken ct)
    {
        if (refs.Contains(id)) return;
        refs.Add(id);
        if (refs.Count > MaxRefs) refs.RemoveAt(0);
        await state.WriteStateAsync(ct);
    }

    private CitizenView View() =>
        new(Id, S.Profile!, S.RegisteredAt, [.. S.Cases], [.. S.Feedback], S.Versions.LastOrDefault()?.Version ?? 1, S.Consents);
}
