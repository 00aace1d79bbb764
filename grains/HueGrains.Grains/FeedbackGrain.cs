using Microsoft.Extensions.DependencyInjection;
using HueGrains.Grains.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using HueGrains.Persistence;

namespace HueGrains.Grains;

/// <summary>A Hue-S report: a problem a citizen saw at a place, routed to the commune that must answer it.</summary>
[GrainType("feedback")]
public sealed class FeedbackGrain(
    [PersistentState("feedback", "hue")] IPersistentState<FeedbackState> state,
    [FromKeyedServices(HueTime.Key)] TimeProvider clock,
    IOptions<FeedbackOptions> options,
    IPhotoStore photos,
    INotificationStore notifications,
    Geo.CommuneLocator locator,
    ILogger<FeedbackGrain> log) : Grain, IFeedbackGrain, IRemindable
{
    private const int MaxText = 4000;

    private FeedbackState S => state.State;
    private string? Reporter => S.ReporterId.Length == 0 ? null : S.ReporterId;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Report is not null && S.Id.Length == 0) S.Id = this.GetPrimaryKeyString(); // submitted before states carried their id
        return Task.CompletedTask;
    }

    public async Task<FeedbackView> Submit(FeedbackReport report, string? reporterCitizenId, string? requestHash, CancellationToken ct)
    {
        if (S.Report is not null) return await ReplayAsync(requestHash, ct);
        report = FeedbackRules.Normalize(report, MaxText);
        if (report is { Commune: null, Latitude: { } lat, Longitude: { } lon })
        {
            // Placed by the boundaries (or, while some are missing, the nearest approximate centroid); what cannot be
            // placed (outside the city, ambiguous) stays without a commune and waits in the triage list.
            var placement = await locator.LocateAsync(lat, lon, ct);
            report = report with { Commune = placement.Commune, Routing = placement.Routing };
        }
        if (reporterCitizenId is not null) await GrainFactory.GetGrain<ICitizenGrain>(reporterCitizenId).TakeQuota(EntityKind.Feedback, ct);
        var now = clock.GetUtcNow();
        S.Id = this.GetPrimaryKeyString();
        S.Report = report;
        S.ReporterId = reporterCitizenId ?? "";
        S.Status = FeedbackStatus.Submitted;
        S.SubmittedAt = now;
        S.DueAt = now + report.Category.Deadline();
        S.RequestHash = requestHash;
        EntityEvents.Append(S.History, new HistoryEntry(WireNames.Of(FeedbackStatus.Submitted), now, Roles.Citizen, null));

        await CommitAsync(ct);
        await FollowUpSubmissionAsync(ct);
        return View();
    }

    /// <summary>A retry of the idempotent request that submitted this report gets it back (its follow-up steps redone).</summary>
    private async Task<FeedbackView> ReplayAsync(string? requestHash, CancellationToken ct)
    {
        if (requestHash is null) throw new HueConflictException("This report has already been submitted.");
        if (requestHash != S.RequestHash) throw new HueUnprocessableException("This Idempotency-Key was used with a different request.");
        await FollowUpSubmissionAsync(ct);
        return View();
    }

    private async Task FollowUpSubmissionAsync(CancellationToken ct)
    {
        if (S.Status == FeedbackStatus.Submitted && !S.Overdue) await this.WatchAsync(S.DueAt, clock.GetUtcNow());
        if (Reporter is { } reporter)
        {
            await GrainFactory.GetGrain<ICitizenGrain>(reporter).LinkFeedback(S.Id, ct);
            await notifications.FollowAsync(reporter, S.Id, ct); // the reporter hears of every change to their report
        }
    }

    public Task<FeedbackView?> Get(CancellationToken ct) => Task.FromResult(S.Report is null ? null : View());

    public async Task<FeedbackView> ChangeStatus(FeedbackStatus status, string? answer, Actor actor, CancellationToken ct)
    {
        var report = S.Report ?? throw new HueNotFoundException("No such report.");
        if (answer is { Length: > MaxText }) throw new HueValidationException("answer", $"An answer is at most {MaxText} characters.");
        if (report.Commune is null) throw new HueConflictException("This report waits for the city to route it to a commune.");
        FeedbackWorkflow.EnsureAllowed(S.Status, status, answer, actor, report.Commune);
        var now = clock.GetUtcNow();
        S.Status = status;
        if (status == FeedbackStatus.Resolved)
        {
            S.Answer = answer!.Trim();
            S.ResolvedAt = now;
        }
        EntityEvents.Append(S.History, new HistoryEntry(WireNames.Of(status), now, actor.Role, answer));
        await CommitAsync(ct);
        if (status == FeedbackStatus.Resolved) await this.StopWatchingAsync();
        return View();
    }

    public async Task<FeedbackView> Rate(int rating, Actor actor, CancellationToken ct)
    {
        if (S.Report is null) throw new HueNotFoundException("No such report.");
        FeedbackWorkflow.EnsureRatable(S.Status, rating, actor, Reporter);
        S.Rating = rating;
        S.Status = FeedbackStatus.Closed;
        EntityEvents.Append(S.History, new HistoryEntry(WireNames.Of(FeedbackStatus.Closed), clock.GetUtcNow(), Roles.Citizen, null));
        await CommitAsync(ct);
        return View();
    }

    public async Task<FeedbackView> Route(string commune, Actor actor, CancellationToken ct)
    {
        var report = S.Report ?? throw new HueNotFoundException("No such report.");
        if (actor.Role is not (Roles.Operator or Roles.Leader)) throw new HueForbiddenException("The city's dispatchers (operators, leaders) route reports.");
        if (!Keys.IsCommune(commune)) throw new HueValidationException("commune", $"Unknown commune code '{commune}'.");
        if (report.Commune is not null) throw new HueConflictException($"This report is already routed to commune {report.Commune}.");
        S.Report = report with { Commune = commune, Routing = HueGrains.Routing.Manual };
        EntityEvents.Append(S.History, new HistoryEntry("routed", clock.GetUtcNow(), actor.Role, commune));
        await CommitAsync(ct);
        return View();
    }

    public async Task<FeedbackView> Reopen(string reason, Actor actor, CancellationToken ct)
    {
        var report = S.Report ?? throw new HueNotFoundException("No such report.");
        if (reason is { Length: > MaxText }) throw new HueValidationException("reason", $"A reason is at most {MaxText} characters.");
        var now = clock.GetUtcNow();
        FeedbackWorkflow.EnsureReopenable(S.Status, S.ResolvedAt, reason, actor, Reporter, TimeSpan.FromDays(options.Value.ReopenDays), now);
        S.Status = FeedbackStatus.Reopened;
        S.Rating = null; // the next answer is rated afresh
        S.ResolvedAt = null;
        S.DueAt = now + report.Category.Deadline();
        S.Overdue = false;
        EntityEvents.Append(S.History, new HistoryEntry(WireNames.Of(FeedbackStatus.Reopened), now, Roles.Citizen, reason.Trim()));
        await CommitAsync(ct);
        await this.WatchAsync(S.DueAt, now);
        return View();
    }

    public async Task<FeedbackView> AddPhoto(PhotoUpload photo, Actor actor, CancellationToken ct)
    {
        var report = S.Report ?? throw new HueNotFoundException("No such report.");
        if (S.Photos.Any(p => p.Id == photo.PhotoId)) return View();
        FeedbackPhotoRules.EnsureMayAdd(actor, Reporter, report.Commune, S.Photos.Count);
        await photos.SaveAsync(S.Id, photo, ct); // the bytes first: the state never names a photo the store lacks
        var now = clock.GetUtcNow();
        S.Photos.Add(new FeedbackPhoto(photo.PhotoId, now, photo.Width, photo.Height));
        EntityEvents.Append(S.History, new HistoryEntry("photo-added", now, actor.Role, photo.PhotoId));
        await CommitAsync(ct);
        return View();
    }

    public async Task<FeedbackView> HidePhoto(string photoId, string reason, Actor actor, CancellationToken ct)
    {
        var report = S.Report ?? throw new HueNotFoundException("No such report.");
        var index = S.Photos.FindIndex(p => p.Id == photoId);
        if (index < 0) throw new HueNotFoundException("This report has no such photo.");
        FeedbackPhotoRules.EnsureMayHide(actor, report.Commune, reason);
        if (S.Photos[index].Hidden) return View();
        await photos.HideAsync(S.Id, photoId, ct); // the store first: the public stops seeing it even if the commit fails
        var now = clock.GetUtcNow();
        S.Photos[index] = S.Photos[index] with { Hidden = true, HiddenReason = reason.Trim() };
        EntityEvents.Append(S.History, new HistoryEntry("photo-hidden", now, actor.Role, $"{photoId}: {reason.Trim()}"));
        await CommitAsync(ct);
        return View();
    }

    public async Task<FeedbackView> MarkDuplicate(string original, Actor actor, CancellationToken ct)
    {
        var report = S.Report ?? throw new HueNotFoundException("No such report.");
        if (report.Commune is null || !actor.IsOfficialOf(report.Commune))
            throw new HueForbiddenException("Only an official of the responsible commune may mark a report as a duplicate.");
        if (original == S.Id) throw new HueValidationException("original", "A report cannot be a duplicate of itself.");
        if (S.DuplicateOf == original) return View();
        if (!S.Status.IsOpen()) throw new HueConflictException($"Only an open report can be closed as a duplicate; this one is {S.Status}.");
        var target = await GrainFactory.GetGrain<IFeedbackGrain>(original).Get(ct)
            ?? throw new HueValidationException("original", $"There is no report '{original}'.");
        if (target.DuplicateOf is not null) throw new HueValidationException("original", $"Report '{original}' is itself a duplicate of '{target.DuplicateOf}'.");
        var now = clock.GetUtcNow();
        S.Status = FeedbackStatus.Closed;
        S.DuplicateOf = original;
        EntityEvents.Append(S.History, new HistoryEntry("duplicate", now, actor.Role, original));
        await CommitAsync(ct);
        await this.StopWatchingAsync();
        if (Reporter is { } reporter) await notifications.FollowAsync(reporter, original, ct); // they hear how the original ends
        return View();
    }

    /// <summary>The deadline reminder: marks the report overdue once, so the commune counts it even if no one looks.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != DeadlineWatch.Reminder) return;
        var now = clock.GetUtcNow();
        if (S.Report is null || !S.Status.IsOpen() || S.Overdue)
        {
            await this.StopWatchingAsync();
            return;
        }
        if (now <= S.DueAt) return; // fired early (clock skew between silos): the hourly recheck comes back
        S.Overdue = true;
        EntityEvents.Append(S.History, new HistoryEntry("overdue", now, "system", null));
        await CommitAsync(CancellationToken.None);
        await this.StopWatchingAsync();
    }

    public Task<FeedbackSnapshot?> GetSnapshot(CancellationToken ct) =>
        Task.FromResult(S.Report is null ? null : Snapshot());

    private async Task CommitAsync(CancellationToken ct)
    {
        S.Version++;
        await this.WriteOrReloadAsync(state, static s => s.Version, ct);
        // A report with a position only waits in the triage list (a query over the projections) until it is routed.
        if (S.Report!.Commune is { } commune) await this.PublishAsync(HueStreams.FeedbackEvents, commune, Snapshot(), log);
    }

    private FeedbackSnapshot Snapshot() =>
        new(this.GetPrimaryKeyString(), S.Version, S.Status, S.DueAt, S.ResolvedAt, S.Rating, S.Report!.Category, S.SubmittedAt, S.Overdue);

    private FeedbackView View() => new(this.GetPrimaryKeyString(), S.Report!, S.Status, S.SubmittedAt, S.DueAt, S.Answer, S.Rating,
        [.. S.History], Snapshot().IsOverdue(clock.GetUtcNow()), S.ResolvedAt, S.History[^1].At,
        [.. S.Photos.Select(p => new FeedbackPhotoView(p.Id, p.Url(S.Id), p.Url(S.Id) + "/thumbnail", p.Width, p.Height, p.AddedAt, p.Hidden, p.HiddenReason))],
        S.DuplicateOf);
}
