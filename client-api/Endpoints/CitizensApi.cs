namespace HueGrains.Api.Endpoints;

public sealed record CitizenRequest(string? FullName, DateOnly? DateOfBirth, string? NationalId, string? Phone, string? HomeCommune, Consents? Consents);

public sealed record ProfileChangeRequest(string? FullName, string? Phone, string? HomeCommune, string? NationalId, DateOnly? DateOfBirth);

/// <summary>What a procedure's form looks like for one applicant: the fields on file, and the only ones left to give.</summary>
public sealed record FormPreview(string Procedure, IReadOnlyDictionary<string, string> OnFile, IReadOnlyList<string> Missing);

/// <summary>
/// Citizens register once. A citizen registers under the id their token carries; an official registers someone at
/// the counter and gets a new opaque id. Personal data is never put in a URL: ids are opaque. Every read of a profile
/// by someone other than the citizen is recorded, and the citizen lists those reads at <c>/audit</c>.
/// </summary>
public static class CitizensApi
{
    public static IEndpointRouteBuilder MapCitizensApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/citizens").WithTags("Citizens").RequireAuthorization(Policies.CitizenOrOfficial);
        group.MapPost("/", RegisterCitizen).WithName("RegisterCitizen").ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Register a citizen's profile, once.");
        group.MapGet("/{id}", GetCitizen).WithName("GetCitizen")
            .WithSummary("A citizen's profile: the citizen, or an official of their home commune if the citizen consents (recorded).");
        group.MapPatch("/{id}", UpdateProfile).WithName("UpdateCitizenProfile").ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Change name, phone or home commune; every version is kept.");
        group.MapGet("/{id}/versions", ListVersions).WithName("ListProfileVersions").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Every version of the profile (the citizen only).");
        group.MapPut("/{id}/consents", SetConsents).WithName("SetConsents").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("The citizen's consents to reuse and share their profile.");
        group.MapGet("/{id}/audit", ListAccesses).WithName("ListProfileAccesses").ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Who read the citizen's data, newest first, paged: role, commune, account, time, purpose, dossier (the citizen only).");
        group.MapPost("/{id}/counter-codes", CreateCounterCode).WithName("CreateCounterCode").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A code for filing a dossier at the counter: the citizen gives it to the official (valid 15 minutes, once).");
        group.MapGet("/{id}/cases", ListOwnCases).WithName("ListOwnCases").ProducesValidationProblem().WithSummary("The citizen's own dossiers, newest first, paged (the citizen only).");
        group.MapGet("/{id}/feedback", ListOwnFeedback).WithName("ListOwnFeedback").ProducesValidationProblem().WithSummary("The citizen's own reports, newest first, paged (the citizen only).");
        group.MapGet("/{id}/forms/{procedure}", PreviewForm).WithName("PreviewForm").WithSummary("A procedure's form pre-filled from the profile, and the fields still missing.");
        return app;
    }

    public static async Task<Created<CitizenView>> RegisterCitizen(CitizenRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        Required.Fields(
            (request.FullName, "fullName", "Full name is required."),
            (request.DateOfBirth, "dateOfBirth", "Date of birth (yyyy-mm-dd) is required."),
            (request.NationalId, "nationalId", "The 12-digit national ID is required."),
            (request.Phone, "phone", "Phone is required."),
            (request.HomeCommune, "homeCommune", "Home commune code is required."));

        var actor = user.ToActor();
        var id = actor.Role == Roles.Citizen ? actor.CitizenId! : Keys.NewCitizenId();
        var profile = new CitizenProfile(request.FullName!, request.DateOfBirth!.Value, request.NationalId!, request.Phone!, request.HomeCommune!);
        var view = await grains.GetGrain<ICitizenGrain>(id).Register(profile, request.Consents, ct);
        return TypedResults.Created($"/api/v1/citizens/{id}", view);
    }

    public static async Task<Results<Ok<CitizenView>, NotFound>> GetCitizen(string id, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        var citizen = Citizen(id, user, grains);
        return await citizen.Read(new DataAccess(user.ToActor(), AccessPurposes.Profile), ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();
    }

    public static async Task<Ok<CitizenView>> UpdateProfile(string id, ProfileChangeRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (request.NationalId is not null || request.DateOfBirth is not null)
            throw new HueValidationException(request.NationalId is not null ? "nationalId" : "dateOfBirth",
                "The national ID and date of birth are identity: they stay as registered (a correction goes through the commune).");
        var change = new ProfileChange(request.FullName, request.Phone, request.HomeCommune);
        return TypedResults.Ok(await Citizen(id, user, grains).UpdateProfile(change, user.ToActor(), ct));
    }

    public static async Task<Ok<IReadOnlyList<ProfileVersion>>> ListVersions(string id, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct) =>
        TypedResults.Ok(await Citizen(id, user, grains).Versions(user.ToActor(), ct));

    public static async Task<Ok<CitizenView>> SetConsents(string id, Consents consents, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct) =>
        TypedResults.Ok(await Citizen(id, user, grains).SetConsents(consents, user.ToActor(), ct));

    /// <param name="limit">At most this many per page (1–1000, default 100).</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page.</param>
    public static async Task<Ok<Page<AccessEntry>>> ListAccesses(string id, int? limit, string? cursor, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        var size = Paging.Limit(limit);
        var entries = await Citizen(id, user, grains).AccessLog(user.ToActor(), Paging.Parse(cursor), size + 1, ct);
        return TypedResults.Ok(Paging.Of(entries, size, e => (e.At, e.EntryId)));
    }

    /// <summary>The citizen shows this code to the official who files a dossier for them at the counter.</summary>
    public static async Task<Created<CounterCode>> CreateCounterCode(string id, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        EnsureSelf(id, user);
        return TypedResults.Created((string?)null, await Citizen(id, user, grains).CreateCounterCode(user.ToActor(), ct));
    }

    /// <param name="limit">At most this many per page (1–1000, default 100).</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page.</param>
    public static async Task<Ok<Page<CaseSummary>>> ListOwnCases(string id, int? limit, string? cursor, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        EnsureSelf(id, user);
        var size = Paging.Limit(limit);
        var query = new CaseQuery(Limit: size + 1, After: Paging.Parse(cursor), CitizenId: id);
        return TypedResults.Ok(Paging.Of(await grains.Projections().Cases(query, ct), size, c => (c.FiledAt, c.Id)));
    }

    /// <param name="limit">At most this many per page (1–1000, default 100).</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page.</param>
    public static async Task<Ok<Page<FeedbackSummary>>> ListOwnFeedback(string id, int? limit, string? cursor, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        EnsureSelf(id, user);
        var size = Paging.Limit(limit);
        var query = new FeedbackQuery(Limit: size + 1, After: Paging.Parse(cursor), ReporterId: id);
        return TypedResults.Ok(Paging.Of(await grains.Projections().FeedbackSummaries(query, ct), size, f => (f.SubmittedAt, f.Id)));
    }

    private static void EnsureSelf(string id, ClaimsPrincipal user)
    {
        if (!user.ToActor().IsCitizen(id)) throw new HueForbiddenException("A citizen's own lists are theirs only.");
    }

    public static async Task<Results<Ok<FormPreview>, NotFound>> PreviewForm(
        string id, string procedure, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        var found = ProcedureCatalog.Find(procedure);
        if (found is null) return TypedResults.NotFound();
        var actor = user.ToActor();
        EnsureSelf(id, user);
        var view = await Citizen(id, user, grains).Read(new DataAccess(actor, AccessPurposes.Profile), ct);
        if (view is null) return TypedResults.NotFound();
        var profile = view.Consents?.ReuseForProcedures == false ? null : view.Profile;
        var onFile = profile is null ? [] : found.ProfileFields.ToDictionary(f => f, f => profile.Field(f) ?? "");
        return TypedResults.Ok(new FormPreview(found.Code, onFile, found.AskedFields(profileReused: profile is not null)));
    }

    /// <summary>The citizen grain behind an id; another citizen's id is refused before any grain is touched.</summary>
    private static ICitizenGrain Citizen(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var actor = user.ToActor();
        if (actor.Role == Roles.Citizen && !actor.IsCitizen(id)) throw new HueForbiddenException("A citizen sees only their own data.");
        if (!Keys.IsEntityId(id, Keys.CitizenPrefix)) throw new HueNotFoundException("No such citizen.");
        return grains.GetGrain<ICitizenGrain>(id);
    }
}
