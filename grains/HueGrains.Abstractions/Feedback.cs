using Orleans.Concurrency;

namespace HueGrains;

/// <summary>Hue-S report categories; each has its own answer deadline.</summary>
public enum FeedbackCategory { UrbanOrder, EnvironmentSanitation, TrafficInfrastructure, SecurityOrder, PublicServices, Other }

public enum FeedbackStatus { Submitted, Assigned, InProgress, Resolved, Closed }

public static class FeedbackCategories
{
    /// <summary>Hours within which the responsible unit must answer a report of the category.</summary>
    public static TimeSpan Deadline(this FeedbackCategory category) => TimeSpan.FromHours(category switch
    {
        FeedbackCategory.SecurityOrder => 24,
        FeedbackCategory.EnvironmentSanitation => 48,
        FeedbackCategory.UrbanOrder or FeedbackCategory.TrafficInfrastructure or FeedbackCategory.PublicServices => 72,
        _ => 120,
    });
}

[GenerateSerializer, Immutable, Alias("hue.FeedbackReport")]
public sealed record FeedbackReport(
    [property: Id(0)] FeedbackCategory Category,
    [property: Id(1)] string Description,
    [property: Id(2)] string Commune,
    [property: Id(3)] double? Latitude,
    [property: Id(4)] double? Longitude,
    [property: Id(5)] string? Address);

/// <summary>A report as anyone may see it: the reporter's identity is never part of it.</summary>
[GenerateSerializer, Immutable, Alias("hue.FeedbackView")]
public sealed record FeedbackView(
    [property: Id(0)] string Id,
    [property: Id(1)] FeedbackReport Report,
    [property: Id(2)] FeedbackStatus Status,
    [property: Id(3)] DateTimeOffset SubmittedAt,
    [property: Id(4)] DateTimeOffset DueAt,
    [property: Id(5)] string? Answer,
    [property: Id(6)] int? Rating,
    [property: Id(7)] IReadOnlyList<HistoryEntry> History);

[Alias("hue.IFeedbackGrain")]
public interface IFeedbackGrain : IGrainWithStringKey
{
    [Alias("Submit")]
    Task<FeedbackView> Submit(FeedbackReport report, string reporterCitizenId, CancellationToken ct = default);

    [Alias("Get")]
    Task<FeedbackView?> Get(CancellationToken ct = default);

    /// <summary>Moves the report along; resolving needs the official answer.</summary>
    [Alias("ChangeStatus")]
    Task<FeedbackView> ChangeStatus(FeedbackStatus status, string? answer, Actor actor, CancellationToken ct = default);

    /// <summary>The reporter rates the answer 1–5, which closes the report.</summary>
    [Alias("Rate")]
    Task<FeedbackView> Rate(int rating, Actor actor, CancellationToken ct = default);

    [Alias("GetSnapshot"), AlwaysInterleave] // a pure read; lets reconcile and enrolment cross without deadlock
    Task<FeedbackSnapshot?> GetSnapshot(CancellationToken ct = default);
}
