using Microsoft.Extensions.DependencyInjection;
using HueGrains.Grains.Domain;
using Microsoft.Extensions.Logging;

namespace HueGrains.Grains;

/// <summary>An administrative dossier: filed once from the applicant's profile, handled by the responsible commune.</summary>
[GrainType("case")]
public sealed class CaseGrain(
    [PersistentState("case", "hue")] IPersistentState<CaseState> state,
    [FromKeyedServices(HueTime.Key)] TimeProvider clock,
    WorkingCalendar calendar,
    ILogger<CaseGrain> log) : Grain, ICaseGrain, IRemindable
{
    private const int MaxFieldLength = 1000;

    private CaseState S => state.State;
    private string Id => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Procedure is not null && S.Id.Length == 0) S.Id = Id; // filed before states carried their id
        return Task.CompletedTask;
    }

    public async Task<CaseView> File(CaseFiling filing, Actor actor, CancellationToken ct)
    {
        if (S.Procedure is not null) return await ReplayAsync(filing, actor, ct);
        var procedure = ProcedureCatalog.Find(filing.Procedure)
            ?? throw new HueValidationException("procedure", $"Unknown procedure '{filing.Procedure}'.");
        if (!actor.IsCitizen(filing.CitizenId) && actor.Role != Roles.Official)
            throw new HueForbiddenException("A case is filed by the applicant or by an official at the counter.");
        var citizen = await GrainFactory.GetGrain<ICitizenGrain>(filing.CitizenId).Read(new DataAccess(actor, AccessPurposes.CaseFiling, Id, filing.CounterCode), ct)
            ?? throw new HueValidationException("citizenId", "No registered citizen has this id.");
        await GrainFactory.GetGrain<ICitizenGrain>(filing.CitizenId).TakeQuota(EntityKind.Case, ct); // once authorised
        var commune = filing.Commune ?? citizen.Profile.HomeCommune;
        if (!Keys.IsCommune(commune)) throw new HueValidationException("commune", $"Unknown commune code '{commune}'.");

        var now = clock.GetUtcNow();
        S.Id = Id;
        S.Procedure = procedure.Code;
        S.CitizenId = filing.CitizenId;
        S.Commune = commune;
        S.Status = CaseStatus.Received;
        S.Form = CaseForms.Prefill(procedure, citizen.Consents?.ReuseForProcedures == false ? null : citizen.Profile, filing.Form, MaxFieldLength);
        S.FiledAt = now;
        S.DueAt = calendar.DueAt(procedure.Limit, now);
        S.RequestHash = filing.RequestHash;
        EntityEvents.Append(S.History, new HistoryEntry(WireNames.Of(CaseStatus.Received), now, actor.Role, null));

        await CommitAsync(ct);
        await FollowUpFilingAsync(ct);
        return View();
    }

    /// <summary>
    /// A retry of the idempotent request that filed this dossier gets it back, and redoes the steps after the state write
    /// (the deadline reminder, the applicant's list) in case the first attempt failed between them. Another request
    /// under the same key is refused.
    /// </summary>
    private async Task<CaseView> ReplayAsync(CaseFiling filing, Actor actor, CancellationToken ct)
    {
        if (filing.RequestHash is null) throw new HueConflictException("This case has already been filed.");
        if (filing.RequestHash != S.RequestHash) throw new HueUnprocessableException("This Idempotency-Key was used with a different request.");
        await FollowUpFilingAsync(ct);
        return await ViewForAsync(actor, ct);
    }

    private async Task FollowUpFilingAsync(CancellationToken ct)
    {
        if (S.Status == CaseStatus.Received && !S.Overdue) await this.WatchAsync(S.DueAt, clock.GetUtcNow());
        await GrainFactory.GetGrain<ICitizenGrain>(S.CitizenId).LinkCase(Id, ct);
    }

    public async Task<CaseView?> Read(Actor reader, CancellationToken ct)
    {
        if (S.Procedure is null) return null;
        if (!reader.IsCitizen(S.CitizenId) && !reader.IsOfficialOf(S.Commune))
            throw new HueForbiddenException("A dossier is seen by its applicant and the officials of the responsible commune.");
        return await ViewForAsync(reader, ct);
    }

    /// <summary>The dossier (its form holds the applicant's personal data): a read by anyone but the applicant is recorded.</summary>
    private async Task<CaseView> ViewForAsync(Actor reader, CancellationToken ct)
    {
        if (!reader.IsCitizen(S.CitizenId))
            await GrainFactory.GetGrain<ICitizenGrain>(S.CitizenId).RecordAccess(new DataAccess(reader, AccessPurposes.CaseHandling, Id), ct);
        return View();
    }

    public async Task<CaseView> ChangeStatus(CaseStatus status, string? note, Actor actor, CancellationToken ct)
    {
        if (S.Procedure is null) throw new HueNotFoundException("No such case.");
        if (note is { Length: > MaxFieldLength }) throw new HueValidationException("note", $"A note is at most {MaxFieldLength} characters.");
        CaseWorkflow.EnsureAllowed(S.Status, status, actor, S.Commune, S.CitizenId);

        var now = clock.GetUtcNow();
        var resumed = S.Status == CaseStatus.SupplementRequested; // its reminder was stopped and its deadline moves
        if (S.Status == CaseStatus.SupplementRequested && S.PausedAt is { } paused)
        {
            S.DueAt += now - paused; // the statutory clock stops while the applicant supplements the dossier
            S.PausedAt = null;
            S.Overdue = now > S.DueAt;
        }
        if (status == CaseStatus.SupplementRequested) S.PausedAt = now;
        if (CaseWorkflow.IsCompleted(status))
        {
            S.CompletedAt = now;
            S.Timeliness = CaseWorkflow.Judge(now, S.DueAt);
        }
        S.Status = status;
        EntityEvents.Append(S.History, new HistoryEntry(WireNames.Of(status), now, actor.Role, note));
        await CommitAsync(ct);
        if (!status.IsOpen() || status == CaseStatus.SupplementRequested) await this.StopWatchingAsync();
        else if (resumed && !S.Overdue) await this.WatchAsync(S.DueAt, now); // otherwise the reminder set at filing stands
        return await ViewForAsync(actor, ct);
    }

    /// <summary>The deadline reminder: marks the dossier overdue once, so the commune counts it even if no one looks.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != DeadlineWatch.Reminder) return;
        var now = clock.GetUtcNow();
        if (S.Procedure is null || !S.Status.IsOpen() || S.Status == CaseStatus.SupplementRequested || S.Overdue)
        {
            await this.StopWatchingAsync();
            return;
        }
        if (now <= S.DueAt)
        {
            await this.WatchAsync(S.DueAt, now); // the deadline moved (a supplement paused the clock)
            return;
        }
        S.Overdue = true;
        EntityEvents.Append(S.History, new HistoryEntry("overdue", now, "system", null));
        await CommitAsync(CancellationToken.None);
        await this.StopWatchingAsync();
    }

    public Task<CaseSnapshot?> GetSnapshot(CancellationToken ct) =>
        Task.FromResult(S.Procedure is null ? null : Snapshot());

    private async Task CommitAsync(CancellationToken ct)
    {
        S.Version++;
        await this.WriteOrReloadAsync(state, static s => s.Version, ct);
        await this.PublishAsync(HueStreams.CaseEvents, S.Commune, Snapshot(), log);
    }

    private CaseSnapshot Snapshot() => new(Id, S.Version, S.Status, S.DueAt, S.CompletedAt, S.Procedure!, S.FiledAt, S.Overdue);

    private CaseView View()
    {
        var procedure = ProcedureCatalog.Find(S.Procedure)!;
        // In the procedure's own field order: storage (jsonb) does not keep the order of keys.
        var form = procedure.ProfileFields.Concat(procedure.ExtraFields).Where(S.Form.ContainsKey).ToDictionary(f => f, f => S.Form[f]);
        var overdue = Snapshot().IsOverdue(clock.GetUtcNow());
        return new CaseView(Id, procedure.Code, procedure.NameVi, S.CitizenId, S.Commune, S.Status,
            form, S.FiledAt, S.DueAt, S.CompletedAt, S.Timeliness, [.. S.History], overdue, procedure.NameEn);
    }
}
