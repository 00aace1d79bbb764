using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace HueGrains.Api.Endpoints;

public sealed record PlaceRequest(string? Name, double? Latitude, double? Longitude, double? Radius);

/// <summary>Entries to mark read: these ids, and/or every entry at or before <c>upTo</c> (a cursor of the inbox list).</summary>
public sealed record MarkReadRequest(List<string>? Ids, string? UpTo);

public sealed record MarkedRead(int Marked);

/// <summary>
/// How citizens hear back: the reports they follow (their own automatically), the places they watch for alerts (besides
/// their home commune's), and their inbox, paged or live. Each citizen reaches only their own.
/// </summary>
public static class NotificationsApi
{
    private const int MaxName = 100;

    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/citizens/{id}").WithTags("Notifications").RequireAuthorization(Policies.CitizenOrOfficial);
        group.MapPut("/follows/{feedbackId}", Follow).WithName("FollowFeedback").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Follow a report: hear of each change (the citizen only; own reports are followed already).");
        group.MapDelete("/follows/{feedbackId}", Unfollow).WithName("UnfollowFeedback").WithSummary("Stop following a report.");
        group.MapGet("/places", ListPlaces).WithName("ListPlaces").WithSummary("The places the citizen watches for flood and air alerts.");
        group.MapPost("/places", AddPlace).WithName("AddPlace").ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Watch a place for alerts: a point and a radius from 50 m to 20 km.");
        group.MapDelete("/places/{placeId}", RemovePlace).WithName("RemovePlace").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Stop watching a place.");
        group.MapGet("/notifications", ListNotifications).WithName("ListNotifications").ProducesValidationProblem()
            .WithSummary("The citizen's inbox, newest first, paged; ?unread=true for unread ones only.");
        group.MapPost("/notifications/read", MarkRead).WithName("MarkNotificationsRead").ProducesValidationProblem()
            .WithSummary("Mark entries read: by id, and/or every entry up to a cursor of the inbox list.");
        group.MapGet("/notifications/live", StreamAsync).WithName("StreamNotifications")
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .WithSummary("Server-Sent Events: each new inbox entry as it arrives, resumable with Last-Event-ID.");
        return app;
    }

    public static async Task<Results<NoContent, NotFound>> Follow(string id, string feedbackId, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        EnsureSelf(id, user);
        if (!Keys.IsEntityId(feedbackId, Keys.FeedbackPrefix) || await grains.GetGrain<IFeedbackGrain>(feedbackId).Get(ct) is null) return TypedResults.NotFound();
        await Notifications(grains).Follow(id, feedbackId, ct);
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> Unfollow(string id, string feedbackId, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        EnsureSelf(id, user);
        if (Keys.IsEntityId(feedbackId, Keys.FeedbackPrefix)) await Notifications(grains).Unfollow(id, feedbackId, ct);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<IReadOnlyList<CitizenPlace>>> ListPlaces(string id, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        EnsureSelf(id, user);
        return TypedResults.Ok(await Notifications(grains).Places(id, ct));
    }

    public static async Task<Created<CitizenPlace>> AddPlace(string id, PlaceRequest request, ClaimsPrincipal user, IGrainFactory grains, TimeProvider clock, CancellationToken ct)
    {
        EnsureSelf(id, user);
        Required.Fields(
            (request.Latitude, "latitude", "The place's latitude (WGS 84) is required."),
            (request.Longitude, "longitude", "The place's longitude (WGS 84) is required."),
            (request.Radius, "radius", $"A radius in metres ({CitizenPlace.MinRadius:0}–{CitizenPlace.MaxRadius:0}) is required."));
        var (lat, lon, radius) = (request.Latitude!.Value, request.Longitude!.Value, request.Radius!.Value);
        if (!double.IsFinite(radius) || radius is < CitizenPlace.MinRadius or > CitizenPlace.MaxRadius)
            throw new HueValidationException("radius", $"The radius is {CitizenPlace.MinRadius:0} m to {CitizenPlace.MaxRadius / 1000:0} km.");
        if (!VietnamBounds.Contains(lat, lon))
            throw new HueValidationException(VietnamBounds.Contains(lon, lat) ? "latitude" : "longitude",
                VietnamBounds.Contains(lon, lat) ? "Latitude and longitude look swapped." : "The place is not in Vietnam (WGS 84 degrees).");
        if (request.Name is { Length: > MaxName }) throw new HueValidationException("name", $"A name is at most {MaxName} characters.");
        var place = new CitizenPlace($"pl-{Guid.NewGuid():N}", request.Name?.Trim(), lat, lon, radius, clock.GetUtcNow());
        var added = await Notifications(grains).AddPlace(id, place, ct);
        return TypedResults.Created($"/api/v1/citizens/{id}/places/{added.Id}", added);
    }

    public static async Task<Results<NoContent, NotFound>> RemovePlace(string id, string placeId, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        EnsureSelf(id, user);
        return await Notifications(grains).RemovePlace(id, placeId, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    /// <param name="unread">true: only entries not yet marked read.</param>
    /// <param name="limit">At most this many per page (1–1000, default 100).</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page.</param>
    public static async Task<Ok<Page<Notification>>> ListNotifications(string id, bool? unread, int? limit, string? cursor,
        ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        EnsureSelf(id, user);
        var size = Paging.Limit(limit);
        var items = await Notifications(grains).Inbox(id, unread == true, Paging.Parse(cursor), size + 1, ct);
        return TypedResults.Ok(Paging.Of(items, size, n => (n.At, n.Id)));
    }

    public static async Task<Ok<MarkedRead>> MarkRead(string id, MarkReadRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct)
    {
        EnsureSelf(id, user);
        if (request.Ids is not { Count: > 0 } && request.UpTo is null) throw new HueValidationException("ids", "Give the ids to mark read, or upTo (a cursor).");
        if (request.Ids is { Count: > Paging.MaxLimit }) throw new HueValidationException("ids", $"At most {Paging.MaxLimit} ids at once.");
        var upTo = request.UpTo is null ? null : ParseUpTo(request.UpTo);
        return TypedResults.Ok(new MarkedRead(await Notifications(grains).MarkRead(id, request.Ids, upTo, ct)));
    }

    /// <summary>New inbox entries as they arrive; event ids are entry ids, so a reconnect resumes where it left off.</summary>
    /// <param name="lastEventId">For clients that cannot send the Last-Event-ID header.</param>
    public static async Task StreamAsync(string id, string? lastEventId, HttpContext http, IGrainFactory grains,
        IOptions<NotificationOptions> options, IOptions<JsonOptions> json)
    {
        EnsureSelf(id, http.User);
        var ct = http.RequestAborted;
        var inbox = Notifications(grains);
        var after = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? lastEventId;
        if (after is null && (await inbox.Inbox(id, false, null, 1, ct)) is [var newest]) after = newest.Id; // from now on
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.WriteAsync("retry: 2000\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
        var poll = TimeSpan.FromMilliseconds(Math.Max(options.Value.PollMilliseconds, 250));
        var quiet = TimeSpan.Zero;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var fresh = await inbox.Since(id, after, 100, ct);
                foreach (var n in fresh)
                {
                    await http.Response.WriteAsync($"id: {n.Id}\nevent: notification\ndata: {JsonSerializer.Serialize(n, json.Value.SerializerOptions)}\n\n", ct);
                    after = n.Id;
                }
                if (fresh.Count == 0 && (quiet += poll) >= TimeSpan.FromSeconds(15))
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    quiet = TimeSpan.Zero;
                }
                await http.Response.Body.FlushAsync(ct);
                if (fresh.Count < 100) await Task.Delay(poll, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the app went away
        }
    }

    private static PageCursor ParseUpTo(string cursor)
    {
        try
        {
            return Paging.Parse(cursor)!;
        }
        catch (HueValidationException)
        {
            throw new HueValidationException("upTo", "upTo is a cursor of this inbox list.");
        }
    }

    private static INotificationsGrain Notifications(IGrainFactory grains) => grains.GetGrain<INotificationsGrain>(0);

    private static void EnsureSelf(string id, ClaimsPrincipal user)
    {
        if (!user.ToActor().IsCitizen(id)) throw new HueForbiddenException("A citizen's follows, places and notifications are theirs only.");
    }
}
