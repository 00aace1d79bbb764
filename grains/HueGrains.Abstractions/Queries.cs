namespace HueGrains;

/// <summary>Dossiers newest first, filtered in the projection store. No commune and no citizen: every dossier.</summary>
[GenerateSerializer, Immutable, Alias("hue.CaseQuery")]
public sealed record CaseQuery(
    [property: Id(0)] CaseStatus? Status = null,
    [property: Id(1)] bool? Overdue = null,
    [property: Id(2)] int Limit = 100,
    [property: Id(3)] DateTimeOffset? From = null,
    [property: Id(4)] DateTimeOffset? To = null,
    [property: Id(5)] PageCursor? After = null,
    [property: Id(6)] string? Commune = null,
    [property: Id(7)] string? CitizenId = null);

/// <summary>Reports newest first, filtered in the projection store. No commune: the whole city.</summary>
[GenerateSerializer, Immutable, Alias("hue.FeedbackQuery")]
public sealed record FeedbackQuery(
    [property: Id(0)] FeedbackCategory? Category = null,
    [property: Id(1)] bool? Open = null,
    [property: Id(2)] DateTimeOffset? From = null,
    [property: Id(3)] DateTimeOffset? To = null,
    [property: Id(4)] int Limit = 100,
    [property: Id(5)] PageCursor? After = null,
    [property: Id(6)] string? Commune = null,
    [property: Id(7)] string? ReporterId = null,
    // Only these reports (Open311 service_request_id); the other filters still apply.
    [property: Id(8)] IReadOnlyList<string>? Ids = null,
    // Any of these categories (Open311 lists several service codes).
    [property: Id(9)] IReadOnlyList<FeedbackCategory>? Categories = null,
    // Only reports that wait to be routed to a commune (position only).
    [property: Id(10)] bool Unrouted = false,
    // Only reports whose position lies in this area (near/radius or bbox).
    [property: Id(20)] GeoArea? Area = null);

/// <summary>
/// Sensors by id, newest-first order of the paged lists with every sensor at the same instant (so by id, descending),
/// filtered in the projection store.
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.SensorQuery")]
public sealed record SensorQuery(
    [property: Id(0)] string? Commune = null,
    [property: Id(1)] SensorKind? Kind = null,
    [property: Id(2)] GeoArea? Area = null,
    [property: Id(3)] int Limit = 100,
    [property: Id(4)] PageCursor? After = null,
    [property: Id(5)] IReadOnlyList<string>? Ids = null)
{
    /// <summary>The instant every sensor sorts at in a page cursor.</summary>
    public static readonly DateTimeOffset SortInstant = DateTimeOffset.UnixEpoch;
}

/// <summary>Where a page of a newest-first list ended: items strictly older than (At, Id) come next.</summary>
[GenerateSerializer, Immutable, Alias("hue.PageCursor")]
public sealed record PageCursor([property: Id(0)] DateTimeOffset At, [property: Id(1)] string Id)
{
    /// <summary>Newest first, ties by id: the order every paged list uses.</summary>
    public static int Compare(DateTimeOffset at, string id, DateTimeOffset otherAt, string otherId) =>
        at != otherAt ? otherAt.CompareTo(at) : string.CompareOrdinal(otherId, id);

    /// <summary>Whether the item (at, id) comes after this cursor, so on a later page.</summary>
    public bool Precedes(DateTimeOffset at, string id) => Compare(At, Id, at, id) < 0;
}
