namespace HueGrains.Api.Endpoints;

/// <summary>Public indicators of the city and its communes, and the procedure catalogue.</summary>
public static class CityApi
{
    public static IEndpointRouteBuilder MapCityApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1").AllowAnonymous().WithTags("City");
        group.MapGet("/city", GetCity).WithSummary("City-wide indicators, a summary per commune and the active alerts.");
        group.MapGet("/communes", ListCommunes).WithSummary("The 40 wards and communes of Huế with their indicators.");
        group.MapGet("/communes/{code}", GetCommune).WithSummary("One commune's live indicators, per sensor kind, and its alerts.");
        group.MapGet("/procedures", ListProcedures).WithSummary("The catalogue of administrative procedures.");
        app.MapPost("/api/v1/communes/{code}/reconcile", ReconcileCommune).RequireAuthorization(Auth.Policies.Operator).WithTags("City")
            .WithSummary("Rebuild a commune's indicators from its entities (operators).");
        return app;
    }

    public static async Task<Ok<CityView>> GetCity(IGrainFactory grains, CancellationToken ct) =>
        TypedResults.Ok(await grains.GetGrain<ICityGrain>(Keys.City).Get(ct));

    public static async Task<Ok<IReadOnlyList<CommuneSummary>>> ListCommunes(IGrainFactory grains, CancellationToken ct) =>
        TypedResults.Ok((await grains.GetGrain<ICityGrain>(Keys.City).Get(ct)).Communes);

    public static async Task<Results<Ok<CommuneView>, ProblemHttpResult>> GetCommune(string code, IGrainFactory grains, CancellationToken ct) =>
        Keys.IsCommune(code)
            ? TypedResults.Ok(await grains.GetGrain<ICommuneGrain>(code).Get(ct))
            : TypedResults.Problem($"No commune has code '{code}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found.");

    public static async Task<Results<Ok<CommuneView>, ProblemHttpResult>> ReconcileCommune(string code, IGrainFactory grains, CancellationToken ct) =>
        Keys.IsCommune(code)
            ? TypedResults.Ok(await grains.GetGrain<ICommuneGrain>(code).Reconcile(ct))
            : TypedResults.Problem($"No commune has code '{code}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found.");

    public static Ok<IReadOnlyList<Procedure>> ListProcedures() => TypedResults.Ok(ProcedureCatalog.All);
}
