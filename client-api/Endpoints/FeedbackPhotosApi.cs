using HueGrains.Api.Photos;

namespace HueGrains.Api.Endpoints;

/// <summary>The multipart form of a photo upload: one file in field <c>photo</c>.</summary>
public sealed record PhotoForm(IFormFile Photo);

public sealed record HidePhotoRequest(string? Reason);

/// <summary>
/// A report's photos: uploaded by the reporter (or an official of the commune), re-encoded without metadata, served with
/// cache headers and ETags; officials of the commune (operators and leaders for any report) hide a photo with a reason.
/// </summary>
public static class FeedbackPhotosApi
{
    private const string Jpeg = OpenApi.JpegContent.MediaType;
    // Not immutable: a photo an official hides must leave shared caches within minutes; the ETag keeps revalidation cheap.
    private const string PublicCache = "public, max-age=300";

    public static IEndpointRouteBuilder MapFeedbackPhotosApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/feedback/{id}/photos").WithTags("Feedback");
        group.MapPost("/", AddPhoto).WithName("AddFeedbackPhoto").RequireAuthorization(Policies.CitizenOrOfficial).DisableAntiforgery()
            .Accepts<PhotoForm>(PhotoUploads.MediaType)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Add a photo (JPEG, PNG or WebP, at most 5 MB, 5 per report) in multipart field photo: re-encoded, EXIF and GPS removed.");
        group.MapGet("/{photoId}", GetPhoto).WithName("GetFeedbackPhoto").AllowAnonymous()
            .Produces(StatusCodes.Status200OK, contentType: Jpeg).Produces(StatusCodes.Status304NotModified).AddOpenApiOperationTransformer(OpenApi.JpegContent.AsBinary).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A report's photo (JPEG, at most 2048 px); cached for a year, revalidated by ETag.");
        group.MapGet("/{photoId}/thumbnail", GetThumbnail).WithName("GetFeedbackPhotoThumbnail").AllowAnonymous()
            .Produces(StatusCodes.Status200OK, contentType: Jpeg).Produces(StatusCodes.Status304NotModified).AddOpenApiOperationTransformer(OpenApi.JpegContent.AsBinary).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A report's photo as a 320 px thumbnail (JPEG).");
        group.MapPost("/{photoId}/hide", HidePhoto).WithName("HideFeedbackPhoto").RequireAuthorization(Policies.Staff)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Hide a photo from the public, with a reason kept in the report's history (officials of the commune; operators and leaders for any report).");
        return app;
    }

    public static async Task<Results<Created<FeedbackView>, NotFound>> AddPhoto(
        string id, HttpContext http, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsEntityId(id, Keys.FeedbackPrefix)) return TypedResults.NotFound();
        var form = await PhotoUploads.ReadFormAsync(http, photos: 1, ct);
        if (form.Files.GetFile(PhotoUploads.Field) is not { } file)
            throw new PhotoRejectedException(StatusCodes.Status400BadRequest, $"Send one image in field {PhotoUploads.Field}.");
        var photo = await PhotoUploads.EncodeAsync(file, ct);
        var view = await grains.GetGrain<IFeedbackGrain>(id).AddPhoto(photo, user.ToActor(), ct);
        return TypedResults.Created($"/api/v1/feedback/{id}/photos/{photo.PhotoId}", view);
    }

    public static Task<Results<FileContentHttpResult, StatusCodeHttpResult, NotFound>> GetPhoto(
        string id, string photoId, HttpContext http, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct) =>
        ServeAsync(id, photoId, thumbnail: false, http, user, grains, ct);

    public static Task<Results<FileContentHttpResult, StatusCodeHttpResult, NotFound>> GetThumbnail(
        string id, string photoId, HttpContext http, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct) =>
        ServeAsync(id, photoId, thumbnail: true, http, user, grains, ct);

    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, NotFound>> ServeAsync(
        string id, string photoId, bool thumbnail, HttpContext http, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsEntityId(id, Keys.FeedbackPrefix) || !PhotoLimits.IsPhotoId(photoId)) return TypedResults.NotFound();
        var known = http.Request.Headers.IfNoneMatch.ToString() is { Length: > 0 } header ? header.Split(',')[0].Trim() : null;
        var content = await grains.GetGrain<IFeedbackPhotosGrain>(0).Read(id, photoId, thumbnail, known, ct);
        if (content is null || content.Hidden && !SeesHidden(user)) return TypedResults.NotFound();
        // A photo's bytes never change (a new photo gets a new id); a hidden one is for staff only and not kept anywhere.
        http.Response.Headers.CacheControl = content.Hidden ? "private, no-store" : PublicCache;
        http.Response.Headers.ETag = content.ETag;
        return content.Bytes is null ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.File(content.Bytes, Jpeg);
    }

    public static async Task<Results<Ok<FeedbackView>, NotFound>> HidePhoto(
        string id, string photoId, HidePhotoRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsEntityId(id, Keys.FeedbackPrefix) || !PhotoLimits.IsPhotoId(photoId)) return TypedResults.NotFound();
        return TypedResults.Ok(await grains.GetGrain<IFeedbackGrain>(id).HidePhoto(photoId, request.Reason ?? "", user.ToActor(), ct));
    }

    /// <summary>
    /// Staff see hidden photos, with the reason. The public sees neither hidden photos nor why they were hidden (a reason
    /// often says what the photo shows): the history keeps only that a photo was hidden.
    /// </summary>
    public static FeedbackView ForReader(FeedbackView view, ClaimsPrincipal user) =>
        SeesHidden(user) || view.Photos is not { } photos || !photos.Any(p => p.Hidden) ? view : view with
        {
            Photos = [.. photos.Where(p => !p.Hidden)],
            History = [.. view.History.Select(h => h.Status == "photo-hidden" ? h with { Note = null } : h)],
        };

    private static bool SeesHidden(ClaimsPrincipal user) => user.IsInRole(Roles.Official) || user.IsInRole(Roles.Leader) || user.IsInRole(Roles.Operator);
}
