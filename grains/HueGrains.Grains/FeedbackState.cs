namespace HueGrains.Grains;

[GenerateSerializer, Alias("hue.FeedbackState")]
public sealed class FeedbackState : IProjectedState
{
    [Id(12)] public string Id { get; set; } = "";

    [Id(0)] public FeedbackReport? Report { get; set; }

    /// <summary>The reporter, kept confidential: never part of any view. Empty for an anonymous report.</summary>
    [Id(1)] public string ReporterId { get; set; } = "";

    [Id(2)] public FeedbackStatus Status { get; set; }
    [Id(3)] public DateTimeOffset SubmittedAt { get; set; }
    [Id(4)] public DateTimeOffset DueAt { get; set; }
    [Id(5)] public DateTimeOffset? ResolvedAt { get; set; }
    [Id(6)] public string? Answer { get; set; }
    [Id(7)] public int? Rating { get; set; }
    [Id(8)] public List<HistoryEntry> History { get; set; } = [];
    [Id(9)] public long Version { get; set; }
    [Id(10)] public bool Overdue { get; set; }
    /// <summary>The fingerprint of the idempotent request that submitted the report, if it carried a key.</summary>
    [Id(13)] public string? RequestHash { get; set; }

    /// <summary>What the report knows of its photos (the bytes are in the photo store); at most <see cref="PhotoLimits.MaxPerReport"/>.</summary>
    [Id(14)] public List<FeedbackPhoto> Photos { get; set; } = [];

    /// <summary>The report this one was closed as a duplicate of.</summary>
    [Id(15)] public string? DuplicateOf { get; set; }

    // Id 11 (UpdatedAt) is retired: every change appends to History, whose last entry says when. Never reuse it.

    /// <summary>The report's projection row, written with this state (JSON "Row": a trigger copies it in PostgreSQL); times in UTC.</summary>
    public FeedbackRow? Row => Report is not { } r ? null : new FeedbackRow(Id, Version, r.Commune, r.Category,
        ReporterId.Length == 0 ? null : ReporterId, Status, SubmittedAt.ToUniversalTime(), DueAt.ToUniversalTime(), ResolvedAt?.ToUniversalTime(),
        Rating, Overdue, History[^1].At.ToUniversalTime(),
        r.Description, r.Address, r.Latitude, r.Longitude, Answer, r.PhotoUrls is { Count: > 0 } photos ? photos[0] : null);

    IProjectionRow? IProjectedState.Row => Row;
}
