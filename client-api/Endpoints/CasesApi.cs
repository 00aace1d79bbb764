namespace HueGrains.Api.Endpoints;

/// <param name="CounterCode">Filing at the counter for a citizen: the code the citizen created for it (valid 15 minutes, once).</param>
public sealed record CaseRequest(string? Procedure, string? CitizenId, string? Commune, Dictionary<string, string>? Form, string? CounterCode = null);

public sealed record CaseStatusRequest(CaseStatus? Status, string? Note);

public static class CasesApi
{
    public static IEndpointRouteBuilder MapCasesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/cases").WithTags("Cases").RequireAuthorization(Policies.CitizenOrOfficial);
        group.MapPost("/", FileCase).WithName("FileCase").ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity).WithSummary("File a dossier; the form is pre-filled from the applicant's profile.");
        group.MapGet("/{id}", GetCase).WithName("GetCase").ProducesProblem(StatusCodes.Status403Forbidden).WithSummary("A dossier: its applicant, or an official of the responsible commune.");
        group.MapPost("/{id}/status", ChangeCaseStatus).WithName("ChangeCaseStatus").ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Move a dossier along its workflow.");
        app.MapGet("/api/v1/communes/{code}/cases", ListCommuneCases).WithName("ListCommuneCases").ProducesValidationProblem().WithTags("Cases").RequireAuthorization(Policies.Staff)
            .WithSummary("A commune's dossiers, newest first: officials of that commune, leaders, operators.");
        return app;
    }

    /// <summary>Send an <c>Idempotency-Key</c> header to make retries safe: the same key files the dossier once.</summary>
    public static async Task<Created<CaseView>> FileCase(CaseRequest request, ClaimsPrincipal user, IGrainFactory grains, HttpContext http, CancellationToken ct)
    {
        var actor = user.ToActor();
        var citizenId = request.CitizenId ?? actor.CitizenId;
        Required.Fields(
            (request.Procedure, "procedure", "Procedure code is required."),
            (Keys.IsEntityId(citizenId, Keys.CitizenPrefix) ? citizenId : null, "citizenId", "The applicant's citizen id is required."));

        var id = Idempotency.NewId(http, Keys.CasePrefix, Keys.NewCaseId);
        var filing = new CaseFiling(request.Procedure!, citizenId!, request.Commune, request.Form, Idempotency.Fingerprint(http, request), request.CounterCode);
        var view = await grains.GetGrain<ICaseGrain>(id).File(filing, actor, ct);
        return TypedResults.Created($"/api/v1/cases/{id}", view);
    }

    public static async Task<Results<Ok<CaseView>, NotFound>> GetCase(string id, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsEntityId(id, Keys.CasePrefix)) return TypedResults.NotFound();
        return await grains.GetGrain<ICaseGrain>(id).Read(user.ToActor(), ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();
    }

    /// <summary>A commune's work list: officials of that commune, leaders and operators (no personal data in it).</summary>
    /// <param name="status">Only dossiers in this state.</param>
    /// <param name="overdue">true: only overdue dossiers; false: only those within their deadline.</param>
    /// <param name="limit">At most this many per page, newest first (1–1000, default 100).</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page.</param>
    public static async Task<Results<Ok<Page<CaseSummary>>, NotFound>> ListCommuneCases(
        string code, string? status, bool? overdue, int? limit, string? cursor, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsCommune(code)) return TypedResults.NotFound();
        EnsureStaffOf(code, user);
        var size = Paging.Limit(limit);
        var query = new CaseQuery(QueryEnum.Parse<CaseStatus>(status, "status"), overdue, size + 1, After: Paging.Parse(cursor), Commune: code);
        return TypedResults.Ok(Paging.Of(await grains.Projections().Cases(query, ct), size, c => (c.FiledAt, c.Id)));
    }

    /// <summary>An official works for one commune; leaders and operators see all.</summary>
    public static void EnsureStaffOf(string commune, ClaimsPrincipal user)
    {
        var actor = user.ToActor();
        if (actor.Role == Roles.Official && !actor.IsOfficialOf(commune))
            throw new HueForbiddenException("An official sees the work of their own commune only.");
    }


    public static async Task<Results<Ok<CaseView>, NotFound>> ChangeCaseStatus(
        string id, CaseStatusRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsEntityId(id, Keys.CasePrefix)) return TypedResults.NotFound();
        if (request.Status is null) throw new HueValidationException("status", "The new status is required.");
        return TypedResults.Ok(await grains.GetGrain<ICaseGrain>(id).ChangeStatus(request.Status.Value, request.Note, user.ToActor(), ct));
    }
}
