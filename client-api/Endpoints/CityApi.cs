namespace HueGrains.Api.Endpoints;

/// <summary>Public indicators of the city and its communes, and the procedure catalogue.</summary>
public static class CityApi
{
    public static IEndpointRouteBuilder MapCityApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1").AllowAnonymous().WithTags("City").AddEndpointFilter<Problems.RetryTransient>()
            .AddEndpointFilter<PublicFigures>(); // counts about people coarsened for the public (README, "Disclosure")
        group.MapGet("/city", GetCity).WithName("GetCity").Produces<CityView>().WithSummary("City-wide indicators, a summary per commune and the active alerts.");
        group.MapGet("/communes", ListCommunes).WithName("ListCommunes").Produces<IReadOnlyList<CommuneSummary>>().WithSummary("The 40 wards and communes of Huế with their indicators.");
        group.MapGet("/communes/{code}", GetCommune).WithName("GetCommune").Produces<CommuneView>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One commune's live indicators, per sensor kind, and its alerts.");
        group.MapGet("/procedures", ListProcedures).WithName("ListProcedures").WithSummary("The catalogue of administrative procedures.");
        group.MapGet("/city/history", GetCityHistory).WithName("GetCityHistory").ProducesValidationProblem().WithSummary("One city indicator over time (snapshots every minute), in buckets.");
        group.MapGet("/communes/{code}/history", GetCommuneHistory).WithName("GetCommuneHistory").ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One commune indicator over time (snapshots every minute), in buckets.");
        app.MapPost("/api/v1/communes/{code}/reconcile", ReconcileCommune).WithName("ReconcileCommune").ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Auth.Policies.Operator).WithTags("City")
            .WithSummary("Rebuild a commune's indicators from its entities (operators).");
        return app;
    }

    // The views below are answered as bytes serialized once per view (ViewBytes), coarsened for the public as
    // PublicFigures would; the filter leaves bytes alone.
    public static async Task<IResult> GetCity(IGrainFactory grains, ViewBytes views, ClaimsPrincipal user, CancellationToken ct) =>
        views.Ok("city", await grains.City().Get(ct), user);

    public static async Task<IResult> ListCommunes(IGrainFactory grains, ViewBytes views, ClaimsPrincipal user, CancellationToken ct) =>
        views.Ok("communes", (await grains.City().Get(ct)).Communes, user);

    public static async Task<IResult> GetCommune(string code, IGrainFactory grains, ViewBytes views, ClaimsPrincipal user, CancellationToken ct) =>
        Keys.IsCommune(code)
            ? views.Ok($"commune:{code}", await grains.Commune(code).Get(ct), user)
            : TypedResults.Problem($"No commune has code '{code}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found.");

    public static async Task<Results<Ok<CommuneView>, ProblemHttpResult>> ReconcileCommune(string code, IGrainFactory grains, CancellationToken ct) =>
        Keys.IsCommune(code)
            ? TypedResults.Ok(await grains.Commune(code).Reconcile(ct))
            : TypedResults.Problem($"No commune has code '{code}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found.");

    public static Ok<IReadOnlyList<Procedure>> ListProcedures() => TypedResults.Ok(ProcedureCatalog.All);

    /// <param name="indicator">A numeric indicator by its JSON name, e.g. overdueCases, floodAlertLevel, satisfactionRate.</param>
    /// <param name="from">Start (inclusive), ISO 8601; default 24 hours before <paramref name="to"/>.</param>
    /// <param name="to">End (exclusive), ISO 8601; default now.</param>
    /// <param name="bucket">raw (each snapshot), 1m (default), 1h or 1d, aligned to Huế local time.</param>
    public static Task<Ok<IndicatorHistory>> GetCityHistory(string? indicator, DateTimeOffset? from, DateTimeOffset? to, string? bucket,
        ClaimsPrincipal user, IGrainFactory grains, TimeProvider clock, CancellationToken ct) =>
        HistoryAsync(Keys.City, indicator, from, to, bucket, user, grains, clock, ct);

    /// <inheritdoc cref="GetCityHistory"/>
    public static async Task<Results<Ok<IndicatorHistory>, ProblemHttpResult>> GetCommuneHistory(string code, string? indicator, DateTimeOffset? from,
        DateTimeOffset? to, string? bucket, ClaimsPrincipal user, IGrainFactory grains, TimeProvider clock, CancellationToken ct) =>
        Keys.IsCommune(code)
            ? await HistoryAsync(code, indicator, from, to, bucket, user, grains, clock, ct)
            : TypedResults.Problem($"No commune has code '{code}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found.");

    private static async Task<Ok<IndicatorHistory>> HistoryAsync(string scope, string? indicator, DateTimeOffset? from, DateTimeOffset? to, string? bucket,
        ClaimsPrincipal user, IGrainFactory grains, TimeProvider clock, CancellationToken ct)
    {
        if (!IndicatorNames.IsKnown(indicator))
            throw new HueValidationException("indicator", $"Indicator is one of: {string.Join(", ", IndicatorNames.All)}.");
        var resolution = QueryEnum.Bucket(bucket) ?? TimeBucket.Minute;
        var end = to ?? clock.GetUtcNow();
        var start = from ?? end.AddDays(-1);
        if (end <= start) throw new HueValidationException("to", "'to' must be after 'from'.");
        var longest = resolution is TimeBucket.Raw or TimeBucket.Minute ? TimeSpan.FromDays(31) : TimeSpan.FromDays(400);
        if (end - start > longest) throw new HueValidationException("from", $"At most {longest.TotalDays:0} days at this bucket.");
        return TypedResults.Ok(await grains.City().History(scope, indicator!, start, end, resolution,
            disclosed: !PublicFigures.SeesExactCounts(user), ct));
    }
}
