using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HueGrains.Api.OpenApi;
using HueGrains.Api.Photos;
using HueGrains.Api.Problems;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HueGrains.Api.Endpoints;

public sealed record FeedbackRequest(
    FeedbackCategory? Category, string? Description, string? Commune, double? Latitude, double? Longitude, string? Address, List<string>? PhotoUrls);

public sealed record ReopenRequest(string? Reason);

public sealed record RouteRequest(string? Commune);

public sealed record FeedbackStatusRequest(FeedbackStatus? Status, string? Answer);

public sealed record RatingRequest(int? Rating);

public sealed record DuplicateRequest(string? Original);

/// <summary>Hue-S reports. Anyone may read a report; the reporter's identity is never part of it.</summary>
public static class FeedbackApi
{
    /// <summary>The multipart part that carries a report's JSON beside its photos.</summary>
    public const string ReportPart = "report";

    public static IEndpointRouteBuilder MapFeedbackApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/feedback").WithTags("Feedback");
        group.MapPost("/", SubmitFeedback).WithName("SubmitFeedback").DisableAntiforgery()
            .Accepts<FeedbackRequest>("application/json", PhotoUploads.MediaType).AddOpenApiOperationTransformer(PhotoFormContent.ReportWithPhotos(ReportPart))
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity).RequireAuthorization(Policies.Citizen).WithSummary("Report a problem at a place.");
        group.MapGet("/", ListFeedback).WithName("ListFeedback").AllowAnonymous()
            .Produces<Page<FeedbackSummary>>().ProducesGeoJsonToo().ProducesValidationProblem()
            .WithSummary("Reports newest first (no reporter, no description), by category, status, commune or area (near/radius or bbox); JSON or GeoJSON.");
        group.MapGet("/{id}", GetFeedback).WithName("GetFeedback").AllowAnonymous().WithSummary("A report, its status and answer (never the reporter).");
        group.MapPost("/{id}/status", ChangeFeedbackStatus).WithName("ChangeFeedbackStatus").ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Official).WithSummary("Handle a report of your commune.");
        group.MapPost("/{id}/rating", RateFeedback).WithName("RateFeedback").ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Citizen).WithSummary("The reporter rates the answer 1–5.");
        group.MapPost("/{id}/reopen", ReopenFeedback).WithName("ReopenFeedback").ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Citizen)
            .WithSummary("The reporter reopens an answered report (within Hue:Feedback:ReopenDays of the answer).");
        group.MapPost("/{id}/route", RouteFeedback).WithName("RouteFeedback").ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Staff)
            .WithSummary("Route a report that came with a position only to its commune (operators, leaders).");
        group.MapPost("/{id}/duplicate-of", MarkDuplicate).WithName("MarkFeedbackDuplicate").ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(Policies.Official).WithSummary("Close a report as a duplicate of another (officials of its commune); its reporter follows the original.");
        app.MapGet("/api/v1/feedback-triage", ListTriage).WithName("ListFeedbackTriage").WithTags("Feedback").RequireAuthorization(Policies.Staff)
            .WithSummary("Reports waiting to be routed to a commune, newest first (at most 1000).");
        app.MapGet("/api/v1/communes/{code}/feedback", ListCommuneFeedback).WithName("ListCommuneFeedback").ProducesValidationProblem().WithTags("Feedback").RequireAuthorization(Policies.Staff)
            .WithSummary("The reports routed to a commune, newest first: officials of that commune, leaders, operators.");
        return app;
    }

    /// <summary>Send an <c>Idempotency-Key</c> header to make retries safe: the same key submits the report once.</summary>
    /// <remarks>With photos: multipart/form-data, the report's JSON in part <c>report</c> and up to 5 images (JPEG, PNG or WebP, at most 5 MB each) in parts <c>photo</c>, re-encoded without EXIF and GPS; a refused photo submits nothing.</remarks>
    public static async Task<Created<FeedbackView>> SubmitFeedback(HttpContext http, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        var (request, files) = http.Request.HasFormContentType ? await ReadFormAsync(http, ct) : (await ReadJsonAsync(http, ct), []);
        Required.Fields(
            (request.Category, "category", "Category is required."),
            (request.Description, "description", "Description is required."));
        // Every photo is checked and re-encoded before anything is submitted: a bad photo creates no report.
        var photos = new List<PhotoUpload>(files.Count);
        foreach (var file in files) photos.Add(await PhotoUploads.EncodeAsync(file, ct));

        var id = Idempotency.NewId(http, Keys.FeedbackPrefix, Keys.NewFeedbackId);
        var fingerprint = photos.Count == 0
            ? Idempotency.Fingerprint(http, request)
            : Idempotency.Fingerprint(http, new SubmissionWithPhotos(request, [.. photos.Select(p => p.ImageETag)]));
        var report = new FeedbackReport(request.Category!.Value, request.Description!, request.Commune, request.Latitude, request.Longitude, request.Address, request.PhotoUrls);
        var grain = grains.GetGrain<IFeedbackGrain>(id);
        var actor = user.ToActor();
        var view = await grain.Submit(report, actor.CitizenId!, fingerprint, ct);
        for (var i = 0; i < photos.Count; i++)
        {
            // The photos' ids follow from the report's, so adding one again is harmless (AddPhoto skips an id it has):
            // a transient failure is retried here, and a client's retry with the same Idempotency-Key adds only what an
            // interrupted attempt did not.
            var photo = photos[i] with { PhotoId = RetryablePhotoId(id, i) };
            view = await RetryTransient.RunAsync(() => grain.AddPhoto(photo, actor, ct), ct);
        }
        return TypedResults.Created($"/api/v1/feedback/{id}", view with { PossibleDuplicates = await PossibleDuplicatesAsync(view, grains, ct) });
    }

    /// <summary>What an idempotent retry of a submission with photos must repeat: the report and the same images.</summary>
    private sealed record SubmissionWithPhotos(FeedbackRequest Report, IReadOnlyList<string> Photos);

    private static string RetryablePhotoId(string feedbackId, int index) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{feedbackId}|photo|{index}")))[..32];

    /// <summary>
    /// The JSON body, read as the framework binds a body parameter (the same JSON options, and the same problems for a
    /// missing body, a wrong media type or malformed JSON), because the endpoint also takes a multipart form.
    /// </summary>
    private static async Task<FeedbackRequest> ReadJsonAsync(HttpContext http, CancellationToken ct)
    {
        const string parameter = "FeedbackRequest request";
        FeedbackRequest? request = null;
        if (http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false)
        {
            if (!http.Request.HasJsonContentType())
                throw new BadHttpRequestException($"Expected a supported JSON media type but got \"{http.Request.ContentType}\".", StatusCodes.Status415UnsupportedMediaType);
            try
            {
                request = await http.Request.ReadFromJsonAsync<FeedbackRequest>(ct);
            }
            catch (JsonException ex)
            {
                throw new BadHttpRequestException($"Failed to read parameter \"{parameter}\" from the request body as JSON.", ex);
            }
        }
        return request ?? throw new BadHttpRequestException($"Required parameter \"{parameter}\" was not provided from body.");
    }

    /// <summary>The multipart form: the report's JSON in part <c>report</c> (a value or a file), the images in parts <c>photo</c>.</summary>
    private const int MaxReportJson = 64 * 1024;

    private static async Task<(FeedbackRequest, IReadOnlyList<IFormFile>)> ReadFormAsync(HttpContext http, CancellationToken ct)
    {
        var form = await PhotoUploads.ReadFormAsync(http, PhotoLimits.MaxPerReport, ct);
        if (form.Files.FirstOrDefault(f => f.Name is not (PhotoUploads.Field or ReportPart)) is { } stray)
            throw new PhotoRejectedException(StatusCodes.Status400BadRequest, $"Send images in parts named {PhotoUploads.Field}, not '{stray.Name}'.");
        var files = form.Files.GetFiles(PhotoUploads.Field);
        if (files.Count > PhotoLimits.MaxPerReport)
            throw new PhotoRejectedException(StatusCodes.Status400BadRequest, $"A report has at most {PhotoLimits.MaxPerReport} photos; {files.Count} were sent.");

        var json = form.TryGetValue(ReportPart, out var values) && values.Count == 1 ? values[0] : null;
        if (json is null && form.Files.GetFile(ReportPart) is { } part)
        {
            if (part.Length > MaxReportJson) throw new HueValidationException(ReportPart, $"The report part is at most {MaxReportJson / 1024} KB of JSON.");
            using var reader = new StreamReader(part.OpenReadStream(), Encoding.UTF8);
            json = await reader.ReadToEndAsync(ct);
        }
        if (string.IsNullOrWhiteSpace(json)) throw new HueValidationException(ReportPart, $"Send the report as JSON in one part named {ReportPart}.");
        FeedbackRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<FeedbackRequest>(json, http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);
        }
        catch (JsonException ex) when (ex.Path is null or "$")
        {
            throw new HueValidationException(ReportPart, Problems.ClientText.Describe(ex));
        }
        catch (JsonException ex)
        {
            // A field of the report: named as the JSON body names it ("category"), by the problem mapper.
            throw new BadHttpRequestException($"Failed to read part {ReportPart} as JSON.", ex);
        }
        return (request ?? throw new HueValidationException(ReportPart, $"Send the report as a JSON object in part {ReportPart}."), files);
    }

    /// <summary>Open reports of the same category within 50 m, submitted in the 7 days before this one (from the projections).</summary>
    private static async Task<IReadOnlyList<FeedbackSummary>?> PossibleDuplicatesAsync(FeedbackView view, IGrainFactory grains, CancellationToken ct)
    {
        if (view.Report is not { Latitude: { } lat, Longitude: { } lon }) return null;
        var query = new FeedbackQuery(view.Report.Category, Open: true, From: view.SubmittedAt - DuplicateSearch.Window, Limit: DuplicateSearch.MaxListed + 1,
            Area: GeoArea.Circle(new GeoPoint(lat, lon), DuplicateSearch.RadiusMeters));
        var found = await grains.Projections().FeedbackSummaries(query, ct);
        return [.. found.Where(f => f.Id != view.Id).Take(DuplicateSearch.MaxListed)];
    }

    /// <param name="category">Only reports of this category.</param>
    /// <param name="open">true: only open reports; false: only answered ones.</param>
    /// <param name="commune">Only reports routed to this commune.</param>
    /// <param name="near">latitude,longitude of a circle's centre (with radius).</param>
    /// <param name="radius">The circle's radius in metres (more than 0, at most 50000).</param>
    /// <param name="bbox">minLon,minLat,maxLon,maxLat (not with near).</param>
    /// <param name="limit">At most this many per page, newest first (1–1000, default 100).</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page.</param>
    public static async Task<IResult> ListFeedback(string? category, bool? open, string? commune, string? near, string? radius, string? bbox,
        int? limit, string? cursor, IGrainFactory grains, HttpRequest request, CancellationToken ct)
    {
        if (commune is not null && !Keys.IsCommune(commune)) throw new HueValidationException("commune", $"Unknown commune code '{commune}'.");
        var size = Paging.Limit(limit);
        var query = new FeedbackQuery(QueryEnum.Parse<FeedbackCategory>(category, "category"), open, Limit: size + 1, After: Paging.Parse(cursor),
            Commune: commune, Area: GeoQuery.Parse(near, radius, bbox));
        var page = Paging.Of(await grains.Projections().FeedbackSummaries(query, ct), size, f => (f.SubmittedAt, f.Id));
        return GeoQuery.WantsGeoJson(request)
            ? GeoQuery.Features(page.Items, f => (f.Id, f.Latitude, f.Longitude), page.NextCursor)
            : TypedResults.Ok(page);
    }

    public static async Task<Results<Ok<FeedbackView>, NotFound>> GetFeedback(string id, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsEntityId(id, Keys.FeedbackPrefix)) return TypedResults.NotFound();
        return await grains.GetGrain<IFeedbackGrain>(id).Get(ct) is { } view ? TypedResults.Ok(FeedbackPhotosApi.ForReader(view, user)) : TypedResults.NotFound();
    }

    public static async Task<Results<Ok<FeedbackView>, NotFound>> ChangeFeedbackStatus(
        string id, FeedbackStatusRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsEntityId(id, Keys.FeedbackPrefix)) return TypedResults.NotFound();
        if (request.Status is null) throw new HueValidationException("status", "The new status is required.");
        return TypedResults.Ok(await grains.GetGrain<IFeedbackGrain>(id).ChangeStatus(request.Status.Value, request.Answer, user.ToActor(), ct));
    }

    public static async Task<Results<Ok<FeedbackView>, NotFound>> ReopenFeedback(
        string id, ReopenRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsEntityId(id, Keys.FeedbackPrefix)) return TypedResults.NotFound();
        return TypedResults.Ok(await grains.GetGrain<IFeedbackGrain>(id).Reopen(request.Reason ?? "", user.ToActor(), ct));
    }

    public static async Task<Results<Ok<FeedbackView>, NotFound>> RouteFeedback(
        string id, RouteRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsEntityId(id, Keys.FeedbackPrefix)) return TypedResults.NotFound();
        Required.Fields((request.Commune, "commune", "The commune code is required."));
        return TypedResults.Ok(await grains.GetGrain<IFeedbackGrain>(id).Route(request.Commune!, user.ToActor(), ct));
    }

    public static async Task<Ok<IReadOnlyList<FeedbackSummary>>> ListTriage(IGrainFactory grains, CancellationToken ct) =>
        TypedResults.Ok(await grains.Projections().FeedbackSummaries(new FeedbackQuery(Open: true, Limit: Paging.MaxLimit, Unrouted: true), ct));

    /// <param name="category">Only reports of this category.</param>
    /// <param name="open">true: only open reports; false: only answered ones.</param>
    /// <param name="limit">At most this many per page, newest first (1–1000, default 100).</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page.</param>
    public static async Task<Results<Ok<Page<FeedbackSummary>>, NotFound>> ListCommuneFeedback(
        string code, string? category, bool? open, int? limit, string? cursor, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsCommune(code)) return TypedResults.NotFound();
        CasesApi.EnsureStaffOf(code, user);
        var size = Paging.Limit(limit);
        var query = new FeedbackQuery(QueryEnum.Parse<FeedbackCategory>(category, "category"), open, Limit: size + 1, After: Paging.Parse(cursor), Commune: code);
        return TypedResults.Ok(Paging.Of(await grains.Projections().FeedbackSummaries(query, ct), size, f => (f.SubmittedAt, f.Id)));
    }

    public static async Task<Results<Ok<FeedbackView>, NotFound>> MarkDuplicate(
        string id, DuplicateRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsEntityId(id, Keys.FeedbackPrefix)) return TypedResults.NotFound();
        Required.Fields((request.Original, "original", "The id of the original report is required."));
        if (!Keys.IsEntityId(request.Original, Keys.FeedbackPrefix)) throw new HueValidationException("original", $"'{request.Original}' is not a report id.");
        return TypedResults.Ok(await grains.GetGrain<IFeedbackGrain>(id).MarkDuplicate(request.Original!, user.ToActor(), ct));
    }

    public static async Task<Results<Ok<FeedbackView>, NotFound>> RateFeedback(
        string id, RatingRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsEntityId(id, Keys.FeedbackPrefix)) return TypedResults.NotFound();
        if (request.Rating is null) throw new HueValidationException("rating", "A rating from 1 to 5 is required.");
        return TypedResults.Ok(await grains.GetGrain<IFeedbackGrain>(id).Rate(request.Rating.Value, user.ToActor(), ct));
    }
}
