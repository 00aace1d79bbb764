namespace HueGrains.Api.Endpoints;

public sealed record CaseRequest(string? Procedure, string? CitizenId, string? Commune, Dictionary<string, string>? Form);

public sealed record CaseStatusRequest(CaseStatus? Status, string? Note);

public static class CasesApi
{
    public static IEndpointRouteBuilder MapCasesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/cases").WithTags("Cases").RequireAuthorization(Policies.CitizenOrOfficial);
        group.MapPost("/", FileCase).WithSummary("File a dossier; the form is pre-filled from the applicant's profile.");
        group.MapGet("/{id}", GetCase).WithSummary("A dossier: its applicant, or an official of the responsible commune.");
        group.MapPost("/{id}/status", ChangeCaseStatus).WithSummary("Move a dossier along its workflow.");
        return app;
    }

    public static async Task<Created<CaseView>> FileCase(CaseRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        var actor = user.ToActor();
        var citizenId = request.CitizenId ?? actor.CitizenId;
        Required.Fields(
            (request.Procedure, "procedure", "Procedure code is required."),
            (Keys.IsEntityId(citizenId, Keys.CitizenPrefix) ? citizenId : null, "citizenId", "The applicant's citizen id is required."));

        var id = Keys.NewCaseId();
        var view = await grains.GetGrain<ICaseGrain>(id).File(new CaseFiling(request.Procedure!, citizenId!, request.Commune, request.Form), actor, ct);
        return TypedResults.Created($"/api/v1/cases/{id}", view);
    }

    public static async Task<Results<Ok<CaseView>, NotFound, ForbidHttpResult>> GetCase(
        string id, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsEntityId(id, Keys.CasePrefix)) return TypedResults.NotFound();
        var view = await grains.GetGrain<ICaseGrain>(id).Get(ct);
        if (view is null) return TypedResults.NotFound();
        var actor = user.ToActor();
        return actor.IsCitizen(view.CitizenId) || actor.IsOfficialOf(view.Commune) ? TypedResults.Ok(view) : TypedResults.Forbid();
    }

    public static async Task<Results<Ok<CaseView>, NotFound>> ChangeCaseStatus(
        string id, CaseStatusRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsEntityId(id, Keys.CasePrefix)) return TypedResults.NotFound();
        if (request.Status is null) throw new HueValidationException("status", "The new status is required.");
        return TypedResults.Ok(await grains.GetGrain<ICaseGrain>(id).ChangeStatus(request.Status.Value, request.Note, user.ToActor(), ct));
    }
}
