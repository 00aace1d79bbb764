using Orleans.Concurrency;

namespace HueGrains;

/// <summary>Hue-S report categories; each has its own answer deadline.</summary>
public enum FeedbackCategory { UrbanOrder, EnvironmentSanitation, TrafficInfrastructure, SecurityOrder, PublicServices, Other }

/// <summary>A report's states; <see cref="Reopened"/> follows an answer the reporter did not accept (appended last: stored by value).</summary>
public enum FeedbackStatus { Submitted, Assigned, InProgress, Resolved, Closed, Reopened }

/// <summary>Configuration section <c>Hue:Feedback</c>.</summary>
public sealed class FeedbackOptions
{
    public const string Section = "Hue:Feedback";

    /// <summary>Days after the answer during which the reporter may reopen the report.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 365)]
    public int ReopenDays { get; set; } = 7;
}

/// <summary>A category as published (Open311 services, open data): a stable code, names in Vietnamese and English.</summary>
public sealed record FeedbackCategoryInfo(FeedbackCategory Category, string Code, string NameVi, string NameEn, int DeadlineHours);

public static class FeedbackCategories
{
    public static readonly IReadOnlyList<FeedbackCategoryInfo> All =
    [
        new(FeedbackCategory.UrbanOrder, "urban-order", "Trật tự đô thị", "Urban order", 72),
        new(FeedbackCategory.EnvironmentSanitation, "environment-sanitation", "Môi trường, vệ sinh", "Environment and sanitation", 48),
        new(FeedbackCategory.TrafficInfrastructure, "traffic-infrastructure", "Giao thông, hạ tầng", "Traffic and infrastructure", 72),
        new(FeedbackCategory.SecurityOrder, "security-order", "An ninh, trật tự", "Security and order", 24),
        new(FeedbackCategory.PublicServices, "public-services", "Dịch vụ công", "Public services", 72),
        new(FeedbackCategory.Other, "other", "Khác", "Other", 120),
    ];

    public static FeedbackCategoryInfo Info(this FeedbackCategory category) => All.First(c => c.Category == category);

    public static FeedbackCategoryInfo? FindCode(string? code) => All.FirstOrDefault(c => c.Code == code);

    /// <summary>Open until answered (resolved, or closed by the reporter's rating); a reopened report is open again.</summary>
    public static bool IsOpen(this FeedbackStatus status) => status is not (FeedbackStatus.Resolved or FeedbackStatus.Closed);

    /// <summary>Hours within which the responsible unit must answer a report of the category.</summary>
    public static TimeSpan Deadline(this FeedbackCategory category) => TimeSpan.FromHours(category.Info().DeadlineHours);
}

[GenerateSerializer, Immutable, Alias("hue.FeedbackReport")]
public sealed record FeedbackReport(
    [property: Id(0)] FeedbackCategory Category,
    [property: Id(1)] string Description,
    // Null when the reporter gave only a position: the report waits in the city's triage until an operator routes it.
    [property: Id(2)] string? Commune,
    [property: Id(3)] double? Latitude,
    [property: Id(4)] double? Longitude,
    [property: Id(5)] string? Address,
    [property: Id(6)] IReadOnlyList<string>? PhotoUrls = null,
    // How the commune was found when the reporter gave only a position: "boundary", "approximate" or "manual" (see Routing).
    [property: Id(20)] string? Routing = null);

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
    [property: Id(7)] IReadOnlyList<HistoryEntry> History,
    [property: Id(8)] bool Overdue = false,
    [property: Id(9)] DateTimeOffset? ResolvedAt = null,
    [property: Id(10)] DateTimeOffset? UpdatedAt = null,
    [property: Id(11)] IReadOnlyList<FeedbackPhotoView>? Photos = null,
    [property: Id(12)] string? DuplicateOf = null,
    // Only in the answer to a submission with a position: open reports of the same category nearby, submitted recently.
    [property: Id(13)] IReadOnlyList<FeedbackSummary>? PossibleDuplicates = null);

/// <summary>What counts as a possible duplicate of a new report (issue 17).</summary>
public static class DuplicateSearch
{
    public const double RadiusMeters = 50;
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);
    public const int MaxListed = 20;
}

/// <summary>A photo in a report's view; hidden ones (and why) are shown to officials only.</summary>
[GenerateSerializer, Immutable, Alias("hue.FeedbackPhotoView")]
public sealed record FeedbackPhotoView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Url,
    [property: Id(2)] string ThumbnailUrl,
    [property: Id(3)] int Width,
    [property: Id(4)] int Height,
    [property: Id(5)] DateTimeOffset AddedAt,
    [property: Id(6)] bool Hidden = false,
    [property: Id(7)] string? HiddenReason = null);

/// <summary>A report in a commune's work list or a public listing: no reporter, no description.</summary>
[GenerateSerializer, Immutable, Alias("hue.FeedbackSummary")]
public sealed record FeedbackSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] FeedbackCategory Category,
    [property: Id(2)] FeedbackStatus Status,
    [property: Id(3)] DateTimeOffset SubmittedAt,
    [property: Id(4)] DateTimeOffset DueAt,
    [property: Id(5)] bool Overdue,
    [property: Id(6)] string? Commune,
    [property: Id(20)] double? Latitude = null,
    [property: Id(21)] double? Longitude = null);

[Alias("hue.IFeedbackGrain")]
public interface IFeedbackGrain : IGrainWithStringKey
{
    /// <summary>
    /// Submits a report; <paramref name="reporterCitizenId"/> is null for an anonymous report (an Open311 app key). A retry
    /// with the same <paramref name="requestHash"/> (an idempotent request) gets the report back.
    /// </summary>
    [Alias("Submit")]
    Task<FeedbackView> Submit(FeedbackReport report, string? reporterCitizenId, string? requestHash = null, CancellationToken ct = default);

    [Alias("Get")]
    Task<FeedbackView?> Get(CancellationToken ct = default);

    /// <summary>Moves the report along; resolving needs the official answer.</summary>
    [Alias("ChangeStatus")]
    Task<FeedbackView> ChangeStatus(FeedbackStatus status, string? answer, Actor actor, CancellationToken ct = default);

    /// <summary>The reporter rates the answer 1–5, which closes the report.</summary>
    [Alias("Rate")]
    Task<FeedbackView> Rate(int rating, Actor actor, CancellationToken ct = default);

    /// <summary>Routes a report that came with a position only to the commune responsible for the place (operators, leaders).</summary>
    [Alias("Route")]
    Task<FeedbackView> Route(string commune, Actor actor, CancellationToken ct = default);

    /// <summary>The reporter does not accept the answer: the report opens again, with a new deadline.</summary>
    [Alias("Reopen")]
    Task<FeedbackView> Reopen(string reason, Actor actor, CancellationToken ct = default);

    /// <summary>Adds a re-encoded photo (the reporter, or an official of the commune); at most <see cref="PhotoLimits.MaxPerReport"/>.</summary>
    [Alias("AddPhoto")]
    Task<FeedbackView> AddPhoto(PhotoUpload photo, Actor actor, CancellationToken ct = default);

    /// <summary>An official of the commune (an operator or a leader, any report) hides a photo from the public, with a reason kept in the history.</summary>
    [Alias("HidePhoto")]
    Task<FeedbackView> HidePhoto(string photoId, string reason, Actor actor, CancellationToken ct = default);

    /// <summary>An official of the commune closes this report as a duplicate of <paramref name="original"/>; its reporter follows the original.</summary>
    [Alias("MarkDuplicate")]
    Task<FeedbackView> MarkDuplicate(string original, Actor actor, CancellationToken ct = default);

    [Alias("GetSnapshot"), AlwaysInterleave] // a pure read; lets reconcile and enrolment cross without deadlock
    Task<FeedbackSnapshot?> GetSnapshot(CancellationToken ct = default);
}
