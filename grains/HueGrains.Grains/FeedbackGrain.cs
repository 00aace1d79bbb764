using Microsoft.Extensions.DependencyInjection;
using HueGrains.Grains.Domain;
using Microsoft.Extensions.Logging;

namespace HueGrains.Grains;

[GenerateSerializer, Alias("hue.FeedbackState")]
public sealed class FeedbackState
{
    [Id(0)] public FeedbackReport? Report { get; set; }

    /// <summary>The reporter, kept confidential: never part of any view.</summary>
    [Id(1)] public string ReporterId { get; set; } = "";

    [Id(2)] public FeedbackStatus Status { get; set; }
    [Id(3)] public DateTimeOffset SubmittedAt { get; set; }
    [Id(4)] public DateTimeOffset DueAt { get; set; }
    [Id(5)] public DateTimeOffset? ResolvedAt { get; set; }
    [Id(6)] public string? Answer { get; set; }
    [Id(7)] public int? Rating { get; set; }
    [Id(8)] public List<HistoryEntry> History { get; set; } = [];
    [Id(9)] public long Version { get; set; }
}

/// <summary>A Hue-S report: a problem a citizen saw at a place, routed to the commune that must answer it.</summary>
[GrainType("feedback")]
public sealed class FeedbackGrain(
    [PersistentState("feedback", "hue")] IPersistentState<FeedbackState> state,
    [FromKeyedServices(HueTime.Key)] TimeProvider clock,
    ILogger<FeedbackGrain> log) : Grain, IFeedbackGrain
{
    private const int MaxText = 4000;

    private FeedbackState S => state.State;

    public async Task<FeedbackView> Submit(FeedbackReport report, string reporterCitizenId, CancellationToken ct)
    {
        if (S.Report is not null) throw new HueConflictException("This report has already been submitted.");
        report = Normalize(report);
        var now = clock.GetUtcNow();
        S.Report = report;
        S.ReporterId = reporterCitizenId;
        S.Status = FeedbackStatus.Submitted;
        S.SubmittedAt = now;
        S.DueAt = now + report.Category.Deadline();
        EntityEvents.Append(S.History, new HistoryEntry(EntityEvents.StatusName(FeedbackStatus.Submitted), now, Roles.Citizen, null));

        var id = this.GetPrimaryKeyString();
        await GrainFactory.GetGrain<ICommuneGrain>(report.Commune).Enroll(new EntityRef(EntityKind.Feedback, id), ct);
        await CommitAsync(ct);
        await GrainFactory.GetGrain<ICitizenGrain>(reporterCitizenId).LinkFeedback(id, ct);
        return View();
    }

    public Task<FeedbackView?> Get(CancellationToken ct) => Task.FromResult(S.Report is null ? null : View());

    public async Task<FeedbackView> ChangeStatus(FeedbackStatus status, string? answer, Actor actor, CancellationToken ct)
    {
        var report = S.Report ?? throw new HueNotFoundException("No such report.");
        if (answer is { Length: > MaxText }) throw new HueValidationException("answer", $"An answer is at most {MaxText} characters.");
        FeedbackWorkflow.EnsureAllowed(S.Status, status, answer, actor, report.Commune);
        var now = clock.GetUtcNow();
        S.Status = status;
        if (status == FeedbackStatus.Resolved)
        {
            S.Answer = answer!.Trim();
            S.ResolvedAt = now;
        }
        EntityEvents.Append(S.History, new HistoryEntry(EntityEvents.StatusName(status), now, actor.Role, answer));
        await CommitAsync(ct);
        return View();
    }

    public async Task<FeedbackView> Rate(int rating, Actor actor, CancellationToken ct)
    {
        if (S.Report is null) throw new HueNotFoundException("No such report.");
        FeedbackWorkflow.EnsureRatable(S.Status, rating, actor, S.ReporterId);
        S.Rating = rating;
        S.Status = FeedbackStatus.Closed;
        EntityEvents.Append(S.History, new HistoryEntry(EntityEvents.StatusName(FeedbackStatus.Closed), clock.GetUtcNow(), Roles.Citizen, null));
        await CommitAsync(ct);
        return View();
    }

    public Task<FeedbackSnapshot?> GetSnapshot(CancellationToken ct) =>
        Task.FromResult(S.Report is null ? null : Snapshot());

    private async Task CommitAsync(CancellationToken ct)
    {
        S.Version++;
        await state.WriteStateAsync(ct);
        await this.PublishAsync(HueStreams.FeedbackEvents, S.Report!.Commune, Snapshot(), log);
    }

    private FeedbackSnapshot Snapshot() => new(this.GetPrimaryKeyString(), S.Version, S.Status, S.DueAt, S.ResolvedAt, S.Rating);

    private FeedbackView View() => new(this.GetPrimaryKeyString(), S.Report!, S.Status, S.SubmittedAt, S.DueAt, S.Answer, S.Rating, [.. S.History]);

    private static FeedbackReport Normalize(FeedbackReport report)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Enum.IsDefined(report.Category)) errors["category"] = ["Unknown category."];
        var description = report.Description?.Trim() ?? "";
        if (description.Length is 0 or > MaxText) errors["description"] = [$"A description is required (at most {MaxText} characters)."];
        if (!Keys.IsCommune(report.Commune)) errors["commune"] = [$"Unknown commune code '{report.Commune}'."];
        if (report.Latitude is { } lat && (!double.IsFinite(lat) || lat is < -90 or > 90)) errors["latitude"] = ["Latitude must be within -90..90."];
        if (report.Longitude is { } lon && (!double.IsFinite(lon) || lon is < -180 or > 180)) errors["longitude"] = ["Longitude must be within -180..180."];
        if ((report.Latitude is null) != (report.Longitude is null)) errors["latitude"] = ["Give both latitude and longitude, or neither."];
        if (report.Address is { Length: > 500 }) errors["address"] = ["An address is at most 500 characters."];
        if (errors.Count > 0) throw new HueValidationException(errors);
        return report with { Description = description, Address = report.Address?.Trim() };
    }
}
