using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using HueGrains.Grains.Domain;
using HueGrains.Persistence;

namespace HueGrains.Grains;

/// <summary>
/// A citizen's profile, given once, with its versions, the citizen's consents and the log of who read it (an
/// append-only table: a legal record, kept whole). Holds personal data; its key is an opaque id, never the national ID.
/// </summary>
[GrainType("citizen")]
public sealed class CitizenGrain(
    [PersistentState("citizen", "hue")] IPersistentState<CitizenState> state,
    [FromKeyedServices(HueTime.Key)] TimeProvider clock,
    IAccessLog accessLog,
    INotificationStore notifications,
    Microsoft.Extensions.Options.IOptions<QuotaOptions> quotas) : Grain, ICitizenGrain
{
    /// <summary>References and versions kept in grain state (the newest ones).</summary>
    private const int MaxRefs = 100; // the newest; every one is in the paged lists /cases and /feedback
    private const int MaxVersions = 100;
    private const int MaxCounterCodes = 3;
    private const int MaxWrongCounterCodes = 5;

    // Quota buckets live with the activation: a citizen creating things keeps it active, and an idle one starts full.
    private readonly Dictionary<EntityKind, (double Tokens, DateTimeOffset At)> _quota = [];

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
        await notifications.SetHomeAsync(Id, profile.HomeCommune, ct); // they hear of their commune's alerts
        return View();
    }

    public async Task<CitizenView?> Read(DataAccess access, CancellationToken ct)
    {
        if (S.Profile is null) return null;
        var reader = access.Reader;
        if (reader.IsCitizen(Id)) return View();
        // Filing at the counter needs the citizen there, proven by their code: neither a dossier id nor a consent stands in for it.
        var allowed = access.Purpose == AccessPurposes.CaseFiling
            ? reader.Role == Roles.Official && await UseCounterCodeAsync(access.CounterCode, ct)
            : reader.IsOfficialOf(S.Profile.HomeCommune) && S.Consents.OfficialsMayViewProfile;
        if (!allowed)
            throw new HueForbiddenException(access.Purpose == AccessPurposes.CaseFiling
                ? "Filing at the counter needs the code the citizen creates for it (POST /api/v1/citizens/{id}/counter-codes), valid 15 minutes, once."
                : reader.Role == Roles.Official
                    ? "This citizen has not agreed to officials opening their profile outside a dossier."
                    : "A citizen's profile is theirs alone.");
        await RecordAccess(access, ct);
        return View();
    }

    public async Task RecordAccess(DataAccess access, CancellationToken ct)
    {
        if (access.Reader.IsCitizen(Id)) return;
        var r = access.Reader;
        await accessLog.AppendAsync(Id, new AccessEntry(clock.GetUtcNow(), r.Role, r.Commune, r.Subject, access.Purpose, access.CaseId), ct);
    }

    public async Task<CounterCode> CreateCounterCode(Actor actor, CancellationToken ct)
    {
        EnsureSelf(actor);
        var now = clock.GetUtcNow();
        var code = RandomNumberGenerator.GetInt32(0, 100_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture);
        S.CounterCodes.RemoveAll(c => c.ExpiresAt <= now);
        if (S.CounterCodes.Count >= MaxCounterCodes) S.CounterCodes.RemoveAt(0);
        S.CounterCodes.Add(new PendingCounterCode(HashCode(code), now + CounterCode.Lifetime));
        S.FailedCounterCodes = 0;
        await state.WriteStateAsync(ct);
        return new CounterCode(code, now + CounterCode.Lifetime);
    }

    /// <summary>Spends a valid code (once). Wrong codes are counted: after a few, every pending code is void.</summary>
    private async Task<bool> UseCounterCodeAsync(string? code, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var match = code is null ? null : S.CounterCodes.FirstOrDefault(c => c.ExpiresAt > now && CryptographicOperations.FixedTimeEquals(
            Convert.FromHexString(c.Hash), Convert.FromHexString(HashCode(code))));
        if (match is not null) S.CounterCodes.Remove(match);
        else if (code is not null && ++S.FailedCounterCodes >= MaxWrongCounterCodes) S.CounterCodes.Clear();
        if (code is not null) await state.WriteStateAsync(ct);
        return match is not null;
    }

    private string HashCode(string code) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{Id}|{code.Trim()}")));

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
        if (!actor.IsCitizen(Id)) await RecordAccess(new DataAccess(actor, AccessPurposes.ProfileUpdate), ct); // logged before it happens
        if (next != current) await state.WriteStateAsync(ct);
        if (next.HomeCommune != current.HomeCommune) await notifications.SetHomeAsync(Id, next.HomeCommune, ct);
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

    public Task<IReadOnlyList<AccessEntry>> AccessLog(Actor actor, PageCursor? after, int limit, CancellationToken ct)
    {
        EnsureSelf(actor);
        return accessLog.ReadAsync(Id, after, limit, ct);
    }

    public Task TakeQuota(EntityKind kind, CancellationToken ct)
    {
        var perHour = kind == EntityKind.Case ? quotas.Value.DossiersPerHour : quotas.Value.ReportsPerHour;
        var now = clock.GetUtcNow();
        var (tokens, at) = _quota.GetValueOrDefault(kind, (perHour, now));
        tokens = Math.Min(perHour, tokens + (now - at).TotalHours * perHour);
        if (tokens < 1)
        {
            var wait = (int)Math.Ceiling((1 - tokens) / perHour * 3600);
            throw new HueQuotaExceededException(
                $"At most {perHour} {(kind == EntityKind.Case ? "dossiers" : "reports")} an hour per citizen; retry in {wait} s.", wait);
        }
        _quota[kind] = (tokens - 1, now);
        return Task.CompletedTask;
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
