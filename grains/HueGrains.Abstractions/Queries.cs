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
    // Only reports with a position within this circle.
    [property: Id(11)] GeoCircle? Near = null);

/// <summary>A point and a radius in metres.</summary>
[GenerateSerializer, Immutable, Alias("hue.GeoCircle")]
public sealed record GeoCircle([property: Id(0)] double Latitude, [property: Id(1)] double Longitude, [property: Id(2)] double Radius)
{
    public bool Contains(double? latitude, double? longitude) =>
        latitude is { } lat && longitude is { } lon && GeoDistance.Meters(Latitude, Longitude, lat, lon) <= Radius;
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
