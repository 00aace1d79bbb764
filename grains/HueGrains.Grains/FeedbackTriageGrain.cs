namespace HueGrains.Grains;

/// <summary>Reports that came with a position only, waiting for a dispatcher to route them to a commune.</summary>
[GrainType("feedback-triage")]
public sealed class FeedbackTriageGrain(
    [PersistentState("feedback-triage", "hue")] IPersistentState<FeedbackTriageState> state) : Grain, IFeedbackTriageGrain
{
    public async Task Add(FeedbackSummary report, CancellationToken ct)
    {
        state.State.Waiting[report.Id] = report;
        await state.WriteStateAsync(ct);
    }

    public async Task Remove(string feedbackId, CancellationToken ct)
    {
        if (state.State.Waiting.Remove(feedbackId)) await state.WriteStateAsync(ct);
    }

    public Task<IReadOnlyList<FeedbackSummary>> List(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<FeedbackSummary>>([.. state.State.Waiting.Values.OrderByDescending(r => r.SubmittedAt)]);
}
