using System.Globalization;
using System.Text.Json;

namespace HueGrains.Api.Endpoints;

/// <summary>One change as API clients read it: its cursor, the entity, its version and its public snapshot.</summary>
public sealed record ChangeItem(string Cursor, string Type, string Id, string? Commune, long Version, DateTimeOffset At, object Data);

/// <summary>A page of the change feed; <c>nextCursor</c> is where to resume (the same cursor when nothing new matched).</summary>
public sealed record ChangesPage(IReadOnlyList<ChangeItem> Items, string NextCursor);

/// <summary>
/// <c>GET /api/v1/changes?after=&amp;types=&amp;commune=&amp;limit=</c>: the durable change feed, oldest first, in commit
/// order. Dossiers are for officials of their commune and city-wide roles; alerts, reports, sensors and indicators are
/// public (counts about people coarsened for the public, as everywhere).
/// </summary>
public static class ChangesApi
{
    /// <summary>As the feed stores snapshots: property names as declared, enums as numbers.</summary>
    private static readonly JsonSerializerOptions StoredJson = new();

    public static IEndpointRouteBuilder MapChangesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/changes", GetChanges).AllowAnonymous().WithTags("Changes").AddEndpointFilter<Problems.RetryTransient>()
            .WithName("GetChanges").ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status410Gone)
            .WithSummary("The change feed after a cursor, oldest first: dossiers (officials), reports, sensors, alerts, commune and city indicators.");
        return app;
    }

    /// <param name="after">The cursor of the last change read (nextCursor of the previous page); none: from the oldest change kept.</param>
    /// <param name="types">Comma-separated: alert, case, feedback, sensor, commune, city. Default: every type the caller may read.</param>
    /// <param name="commune">Only changes of this commune.</param>
    /// <param name="limit">1 to 1000, default 100.</param>
    public static async Task<Results<Ok<ChangesPage>, ProblemHttpResult>> GetChanges(string? after, string? types, string? commune, int? limit, HttpContext http, IGrainFactory grains, CancellationToken ct)
    {
        var position = ParseCursor(after);
        var reader = http.User.ToActor();
        var query = Query(position, ParseTypes(types), commune, Paging.Limit(limit), reader);
        var page = await grains.Projections().Changes(query, ct);
        if (Expired(after is null ? null : position, page))
            return TypedResults.Problem(position > page.Head
                    ? "This cursor is ahead of the feed (it was issued by another deployment, or the embedded platform restarted). Read the current state, then follow the feed without a cursor."
                    : "Changes after this cursor are older than the feed keeps. Read the current state again, then follow the feed from the cursor of the newest change.",
                statusCode: StatusCodes.Status410Gone, title: "Cursor expired.");
        var exact = PublicFigures.SeesExactCounts(http.User);
        var city = !exact && page.Items.Any(i => i.Type == ChangeTypes.City) ? await grains.City().Get(ct) : null;
        var items = page.Items.Select(c => new ChangeItem(Cursor(c.Position), c.Type, c.EntityId, c.Commune, c.Version, c.At, Published(c, exact, city))).ToList();
        return TypedResults.Ok(new ChangesPage(items, items.Count > 0 ? items[^1].Cursor : Cursor(position)));
    }

    /// <summary>A cursor older than what the feed keeps, or ahead of it. Without a cursor, reading starts at the oldest change kept.</summary>
    public static bool Expired(long? after, ChangePage page) => after is { } position && (position < page.ForgottenThrough || position > page.Head);

    public static string Cursor(long position) => position.ToString(CultureInfo.InvariantCulture);

    public static long ParseCursor(string? cursor) =>
        cursor is null ? 0
        : long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var position) ? position
        : throw new HueValidationException("after", "This cursor was not issued by the change feed; start again without one.");

    public static IReadOnlyList<string>? ParseTypes(string? types)
    {
        if (string.IsNullOrWhiteSpace(types)) return null;
        var asked = types.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var unknown = asked.Where(t => !ChangeTypes.All.Contains(t)).ToList();
        return unknown.Count == 0 && asked.Length > 0 ? asked.Distinct().ToList()
            : throw new HueValidationException("types", $"Unknown type; the types are {string.Join(", ", ChangeTypes.All)}.");
    }

    /// <summary>The query a reader may run: dossiers only of the communes they serve (all for leaders and operators).</summary>
    public static ChangeQuery Query(long after, IReadOnlyList<string>? types, string? commune, int limit, Actor reader)
    {
        if (commune is not null && !Keys.IsCommune(commune)) throw new HueValidationException("commune", "No commune has this code.");
        IReadOnlyList<string>? caseCommunes = reader.Role switch
        {
            Roles.Leader or Roles.Operator => null,
            Roles.Official when reader.Commune is { } served => [served],
            _ => [],
        };
        if (caseCommunes is [] && types?.Contains(ChangeTypes.Case) == true)
            throw new HueForbiddenException("Dossier changes are for officials of their commune, leaders and operators.");
        return new ChangeQuery(after, types ?? (caseCommunes is [] ? ChangeTypes.Public : null), commune, limit, caseCommunes);
    }

    /// <summary>The stored snapshot in the API's shape (names and enums as everywhere else), disclosed for the public.</summary>
    public static object Published(ChangeRecord change, bool exact, CityView? city)
    {
        object data = change.Type switch
        {
            ChangeTypes.Case => CaseData(JsonSerializer.Deserialize<CaseRow>(change.Data, StoredJson)!),
            ChangeTypes.Feedback => FeedbackData(JsonSerializer.Deserialize<FeedbackRow>(change.Data, StoredJson)!),
            ChangeTypes.Sensor => SensorData(JsonSerializer.Deserialize<SensorRow>(change.Data, StoredJson)!),
            ChangeTypes.Alert => AlertData(JsonSerializer.Deserialize<SensorRow>(change.Data, StoredJson)!,
                JsonSerializer.Deserialize<AlertLevels>(change.Data, StoredJson)!.PreviousAlertLevel),
            ChangeTypes.Commune => JsonSerializer.Deserialize<CommuneChange>(change.Data, StoredJson)!,
            _ => JsonSerializer.Deserialize<CityChange>(change.Data, StoredJson)!,
        };
        if (exact || change.Type is not (ChangeTypes.Commune or ChangeTypes.City)) return data;
        var node = Disclosure.Apply(JsonSerializer.SerializeToNode(data, HueJson.Options), HueJson.Options)!;
        if (change.Type == ChangeTypes.City && city is not null) Disclosure.ApplyCity(node["indicators"]?.AsObject(), city);
        return node;
    }

    private static object CaseData(CaseRow c) => new
    {
        c.Id, c.Version, c.Commune, c.Procedure, c.Status, NationalStatusCode = NationalStatusCodes.Of(c.Status).Code, c.FiledAt, c.DueAt,
        c.CompletedAt, c.ClosedAt, c.Overdue, c.UpdatedAt,
    };

    private static object FeedbackData(FeedbackRow f) => new
    {
        f.Id, f.Version, f.Commune, f.Category, f.Status, f.SubmittedAt, f.DueAt, f.ResolvedAt, f.Rating, f.Overdue, f.UpdatedAt,
        f.Description, f.Address, f.Latitude, f.Longitude, f.Answer, f.PhotoUrl,
    };

    private static object SensorData(SensorRow s) => new { s.Id, s.Commune, s.Kind, s.AlertLevel, s.LastSeen, s.Latitude, s.Longitude, s.Snapshot };

    /// <summary>An alert change: the sensor at its new level and the level it left (0 = none), so a level falling below a threshold is seen.</summary>
    private static object AlertData(SensorRow s, int previous) =>
        new { s.Id, s.Commune, s.Kind, s.AlertLevel, PreviousAlertLevel = previous, s.LastSeen, s.Latitude, s.Longitude, s.Snapshot };

    private sealed record AlertLevels(int PreviousAlertLevel);

    /// <summary>A stored snapshot read back in the shape it was appended in.</summary>
    public static T Stored<T>(ChangeRecord change) => JsonSerializer.Deserialize<T>(change.Data, StoredJson)!;

    public sealed record CommuneChange(string Code, string Name, Indicators Indicators, DateTimeOffset UpdatedAt);

    public sealed record CityChange(Indicators Indicators, DateTimeOffset? UpdatedAt);
}
