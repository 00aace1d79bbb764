namespace HueGrains.Api.Endpoints;

public sealed record CitizenRequest(string? FullName, DateOnly? DateOfBirth, string? NationalId, string? Phone, string? HomeCommune);

/// <summary>
/// Citizens register once. A citizen registers under the id their token carries; an official registers someone at
/// the counter and gets a new opaque id. Personal data is never put in a URL: ids are opaque.
/// </summary>
public static class CitizensApi
{
    public static IEndpointRouteBuilder MapCitizensApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/citizens").WithTags("Citizens").RequireAuthorization(Policies.CitizenOrOfficial);
        group.MapPost("/", RegisterCitizen).WithSummary("Register a citizen's profile, once.");
        group.MapGet("/{id}", GetCitizen).WithSummary("A citizen's profile: the citizen themselves, or an official of their home commune.");
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
        var view = await grains.GetGrain<ICitizenGrain>(id).Register(profile, ct);
        return TypedResults.Created($"/api/v1/citizens/{id}", view);
    }

    public static async Task<Results<Ok<CitizenView>, NotFound, ForbidHttpResult>> GetCitizen(
        string id, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        var actor = user.ToActor();
        if (actor.Role == Roles.Citizen && !actor.IsCitizen(id)) return TypedResults.Forbid();
        if (!Keys.IsEntityId(id, Keys.CitizenPrefix)) return TypedResults.NotFound();
        var view = await grains.GetGrain<ICitizenGrain>(id).Get(ct);
        if (view is null) return TypedResults.NotFound();
        return actor.IsCitizen(id) || actor.IsOfficialOf(view.Profile.HomeCommune) ? TypedResults.Ok(view) : TypedResults.Forbid();
    }
}
