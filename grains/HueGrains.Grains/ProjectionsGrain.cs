using HueGrains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;

namespace HueGrains.Grains;

/// <summary>Answers front ends' list queries from the projection store on whichever silo takes the call.</summary>
[GrainType("projections"), StatelessWorker]
public sealed class ProjectionsGrain(IProjectionStore store, IChangeFeed changes, [FromKeyedServices(HueTime.Key)] TimeProvider clock) : Grain, IProjectionsGrain
{
    public async Task<IReadOnlyList<CaseSummary>> Cases(CaseQuery query, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return [.. (await store.CasesAsync(query, now, ct)).Select(c => c.ToSummary(now))];
    }

    public async Task<IReadOnlyList<FeedbackRow>> Feedback(FeedbackQuery query, CancellationToken ct) =>
        [.. (await store.FeedbackAsync(query, clock.GetUtcNow(), ct)).Select(f => f with { ReporterId = null })];

    public async Task<IReadOnlyList<FeedbackSummary>> FeedbackSummaries(FeedbackQuery query, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return [.. (await store.FeedbackAsync(query, now, ct)).Select(f => f.ToSummary(now))];
    }


    public Task<IReadOnlyList<DailyCount>> DailyCounts(EntityKind kind, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        store.DailyCountsAsync(kind, from, to, ct);

    public Task<ChangePage> Changes(ChangeQuery query, CancellationToken ct) => changes.ReadAsync(query, ct);

    public Task<string?> SensorOfKey(string deviceKeyHash, CancellationToken ct) => store.SensorOfKeyAsync(deviceKeyHash, ct);

    public async Task<IReadOnlyList<SensorPlace>> Sensors(SensorQuery query, CancellationToken ct) =>
        [.. (await store.SensorsAsync(query, ct)).Select(s => s.ToPlace())];
}
