using Microsoft.Extensions.DependencyInjection;
using HueGrains.Grains.Domain;
using Microsoft.Extensions.Logging;

namespace HueGrains.Grains;

[GenerateSerializer, Alias("hue.CaseState")]
public sealed class CaseState
{
    [Id(0)] public string? Procedure { get; set; }
    [Id(1)] public string CitizenId { get; set; } = "";
    [Id(2)] public string Commune { get; set; } = "";
    [Id(3)] public CaseStatus Status { get; set; }
    [Id(4)] public Dictionary<string, string> Form { get; set; } = [];
    [Id(5)] public DateTimeOffset FiledAt { get; set; }
    [Id(6)] public DateTimeOffset DueAt { get; set; }
    [Id(7)] public DateTimeOffset? PausedAt { get; set; }
    [Id(8)] public DateTimeOffset? CompletedAt { get; set; }
    [Id(9)] public Timeliness? Timeliness { get; set; }
    [Id(10)] public List<HistoryEntry> History { get; set; } = [];
    [Id(11)] public long Version { get; set; }
}

/// <summary>An administrative dossier: filed once from the applicant's profile, handled by the responsible commune.</summary>
[GrainType("case")]
public sealed class CaseGrain(
    [PersistentState("case", "hue")] IPersistentState<CaseState> state,
    [FromKeyedServices(HueTime.Key)] TimeProvider clock,
    ILogger<CaseGrain> log) : Grain, ICaseGrain
{
    private const int MaxFieldLength = 1000;

    private CaseState S => state.State;

    public async Task<CaseView> File(CaseFiling filing, Actor actor, CancellationToken ct)
    {
        if (S.Procedure is not null) throw new HueConflictException("This case has already been filed.");
        var procedure = ProcedureCatalog.Find(filing.Procedure)
            ?? throw new HueValidationException("procedure", $"Unknown procedure '{filing.Procedure}'.");
        if (!actor.IsCitizen(filing.CitizenId) && actor.Role != Roles.Official)
            throw new HueForbiddenException("A case is filed by the applicant or by an official at the counter.");
        var citizen = await GrainFactory.GetGrain<ICitizenGrain>(filing.CitizenId).Get(ct)
            ?? throw new HueValidationException("citizenId", "No registered citizen has this id.");
        var commune = filing.Commune ?? citizen.Profile.HomeCommune;
        if (!Keys.IsCommune(commune)) throw new HueValidationException("commune", $"Unknown commune code '{commune}'.");

        var now = clock.GetUtcNow();
        S.Procedure = procedure.Code;
        S.CitizenId = filing.CitizenId;
        S.Commune = commune;
        S.Status = CaseStatus.Received;
        S.Form = PrefilledForm(procedure, citizen.Profile, filing.Form);
        S.FiledAt = now;
        S.DueAt = WorkingCalendar.DueAt(procedure.Limit, now);
        EntityEvents.Append(S.History, new HistoryEntry(EntityEvents.StatusName(CaseStatus.Received), now, actor.Role, null));

        var id = this.GetPrimaryKeyString();
        await GrainFactory.GetGrain<ICommuneGrain>(commune).Enroll(new EntityRef(EntityKind.Case, id), ct);
        await CommitAsync(ct);
        await GrainFactory.GetGrain<ICitizenGrain>(filing.CitizenId).LinkCase(id, ct);
        return View();
    }

    public Task<CaseView?> Get(CancellationToken ct) => Task.FromResult(S.Procedure is null ? null : View());

    public async Task<CaseView> ChangeStatus(CaseStatus status, string? note, Actor actor, CancellationToken ct)
    {
        if (S.Procedure is null) throw new HueNotFoundException("No such case.");
        if (note is { Length: > MaxFieldLength }) throw new HueValidationException("note", $"A note is at most {MaxFieldLength} characters.");
        CaseWorkflow.EnsureAllowed(S.Status, status, actor, S.Commune, S.CitizenId);

        var now = clock.GetUtcNow();
        if (S.Status == CaseStatus.SupplementRequested && S.PausedAt is { } paused)
        {
            S.DueAt += now - paused; // the statutory clock stops while the applicant supplements the dossier
            S.PausedAt = null;
        }
        if (status == CaseStatus.SupplementRequested) S.PausedAt = now;
        if (CaseWorkflow.IsCompleted(status))
        {
            S.CompletedAt = now;
            S.Timeliness = CaseWorkflow.Judge(now, S.DueAt);
        }
        S.Status = status;
        EntityEvents.Append(S.History, new HistoryEntry(EntityEvents.StatusName(status), now, actor.Role, note));
        await CommitAsync(ct);
        return View();
    }

    public Task<CaseSnapshot?> GetSnapshot(CancellationToken ct) =>
        Task.FromResult(S.Procedure is null ? null : Snapshot());

    private async Task CommitAsync(CancellationToken ct)
    {
        S.Version++;
        await state.WriteStateAsync(ct);
        await this.PublishAsync(HueStreams.CaseEvents, S.Commune, Snapshot(), log);
    }

    private CaseSnapshot Snapshot() => new(this.GetPrimaryKeyString(), S.Version, S.Status, S.DueAt, S.CompletedAt);

    /// <summary>Once-only: the profile answers what it can; the applicant supplies only the procedure's other fields.</summary>
    private static Dictionary<string, string> PrefilledForm(Procedure procedure, CitizenProfile profile, IReadOnlyDictionary<string, string>? given)
    {
        given ??= new Dictionary<string, string>();
        var errors = new Dictionary<string, string[]>();
        foreach (var key in given.Keys.Where(k => !procedure.ExtraFields.Contains(k)))
            errors[$"form.{key}"] = [procedure.ProfileFields.Contains(key)
                ? "This field comes from the citizen's profile; it is not asked again."
                : $"Procedure {procedure.Code} has no field '{key}'."];
        foreach (var field in procedure.ExtraFields)
        {
            if (!given.TryGetValue(field, out var value) || string.IsNullOrWhiteSpace(value))
                errors[$"form.{field}"] = ["This field is required."];
            else if (value.Length > MaxFieldLength)
                errors[$"form.{field}"] = [$"At most {MaxFieldLength} characters."];
        }
        if (errors.Count > 0) throw new HueValidationException(errors);

        var form = procedure.ProfileFields.ToDictionary(f => f, f => CitizenRules.Field(profile, f) ?? "");
        foreach (var field in procedure.ExtraFields) form[field] = given[field].Trim();
        return form;
    }

    private CaseView View()
    {
        var procedure = ProcedureCatalog.Find(S.Procedure)!;
        // In the procedure's own field order: storage (jsonb) does not keep the order of keys.
        var form = procedure.ProfileFields.Concat(procedure.ExtraFields).Where(S.Form.ContainsKey).ToDictionary(f => f, f => S.Form[f]);
        return new CaseView(this.GetPrimaryKeyString(), procedure.Code, procedure.NameVi, S.CitizenId, S.Commune, S.Status,
            form, S.FiledAt, S.DueAt, S.CompletedAt, S.Timeliness, [.. S.History]);
    }
}
