using System.Text.Json;
using Microsoft.Extensions.Options;

namespace HueGrains.Api.Endpoints;

/// <summary>A subscription as its owner reads it; the secret is never shown again after creation.</summary>
public sealed record SubscriptionView(
    string Id, string Url, IReadOnlyList<string>? Types, string? Commune, SubscriptionFilters Filters, DateTimeOffset? ExpiresAt,
    int? MaxPerMinute, string Cursor, bool Paused, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt, int? LastFailureStatus,
    string? LastFailureReason, int ConsecutiveFailures, int Backlog, DateTimeOffset CreatedAt, SubscriptionKind Kind)
{
    public static SubscriptionView Of(SubscriptionStatus s) => new(s.Id, s.Url, s.Types, s.Commune, s.Filters, s.ExpiresAt, s.MaxPerMinute,
        ChangesApi.Cursor(s.Cursor), s.Paused, s.LastSuccessAt, s.LastFailureAt, s.LastFailureStatus, s.LastFailureReason,
        s.ConsecutiveFailures, s.Backlog, s.CreatedAt, s.Kind);
}

/// <summary>
/// What <c>POST /api/v1/subscriptions</c> takes, for the OpenAPI document: the handler reads the JSON itself so that an
/// unknown field is a 400 naming it (<see cref="SubscriptionsApi.Fields"/> lists the same names; a test keeps them equal).
/// </summary>
/// <param name="Url">The https URL changes are posted to.</param>
/// <param name="Secret">16 to 256 characters: deliveries are signed with it (HMAC-SHA256); never shown again.</param>
/// <param name="Types">Change types to deliver (alert, case, feedback, sensor, commune, city); default every type the caller may read.</param>
/// <param name="Commune">Only changes of this commune.</param>
/// <param name="ExpiresAt">When deliveries stop; in the future.</param>
/// <param name="MaxPerMinute">At most this many changes a minute (1 to 100000).</param>
/// <param name="Kind">webhook (default), or national-portal (operators): dossier changes in the national portal's shape.</param>
public sealed record SubscriptionRequest(
    string Url, string Secret, IReadOnlyList<string>? Types = null, string? Commune = null, SubscriptionFilters? Filters = null,
    DateTimeOffset? ExpiresAt = null, int? MaxPerMinute = null, SubscriptionKind? Kind = null);

/// <summary>The answer of a test ping: whether the target took it, and its status code or why not.</summary>
public sealed record PingResult(bool Delivered, int? Status, string? Reason);

/// <summary>
/// Webhook subscriptions to the change feed. Anyone holding a platform token may subscribe to what they may read on
/// <c>GET /api/v1/changes</c> (the same <see cref="ChangesApi.Query"/>, kept with the subscription); only the creator
/// (the token's subject) or an operator sees or changes a subscription; to anyone else it does not exist (404).
/// <c>"kind": "national-portal"</c> (operators only) sends dossier changes in the national portal's shape instead.
/// </summary>
public static class SubscriptionsApi
{
    public static readonly HashSet<string> Fields = ["url", "types", "commune", "filters", "expiresAt", "maxPerMinute", "secret", "kind"];
    private static readonly HashSet<string> FilterFields = ["sensorKind", "minAlertLevel", "caseStatus", "category"];

    public static IEndpointRouteBuilder MapSubscriptionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/subscriptions").RequireAuthorization(Policies.Subscriber).WithTags("Subscriptions")
            .AddEndpointFilter<Problems.RetryTransient>();
        group.MapPost("/", Create).WithName("CreateSubscription").AddOpenApiOperationTransformer(OpenApi.DocumentedBody.As<SubscriptionRequest>())
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Registers a webhook for changes of the feed (201; the secret signs each delivery).");
        group.MapGet("/{id}", Get).WithName("GetSubscription").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Delivery status: last success and failure, consecutive failures, backlog, paused.");
        group.MapPost("/{id}/resume", Resume).WithName("ResumeSubscription").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Resumes a paused subscription from its cursor.");
        group.MapPost("/{id}/test", Test).WithName("TestSubscription").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Posts a ping (a delivery without changes) to the target now.");
        group.MapDelete("/{id}", Delete).WithName("DeleteSubscription").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Deletes the subscription; nothing more is delivered.");
        return app;
    }

    public static async Task<Created<SubscriptionView>> Create(JsonElement body, HttpContext http, IGrainFactory grains, IOptions<SubscriptionOptions> options,
        IOptions<NationalSyncOptions> nationalSync, CancellationToken ct)
    {
        var spec = Parse(body, http.User.ToActor(), options.Value.Allowed(), TimeProvider.System.GetUtcNow());
        if (spec.Kind == SubscriptionKind.NationalPortal && !nationalSync.Value.IsConfigured)
            throw new HueUnavailableException("The national dossier sync is not configured: set Hue:NationalSync:AccessKey and SecretKey (the data-sharing platform's credentials).", 60);
        var id = $"s-{Guid.NewGuid():N}";
        var status = await grains.GetGrain<ISubscriptionGrain>(id).Create(spec, ct);
        return TypedResults.Created($"/api/v1/subscriptions/{id}", SubscriptionView.Of(status));
    }

    public static async Task<Ok<SubscriptionView>> Get(string id, HttpContext http, IGrainFactory grains, CancellationToken ct) =>
        TypedResults.Ok(SubscriptionView.Of(await OwnedAsync(id, http, grains, ct)));

    public static async Task<Ok<SubscriptionView>> Resume(string id, HttpContext http, IGrainFactory grains, CancellationToken ct)
    {
        await OwnedAsync(id, http, grains, ct);
        var status = await grains.GetGrain<ISubscriptionGrain>(id).Resume(ct) ?? throw NotFound();
        return TypedResults.Ok(SubscriptionView.Of(status));
    }

    public static async Task<Ok<PingResult>> Test(string id, HttpContext http, IGrainFactory grains, CancellationToken ct)
    {
        await OwnedAsync(id, http, grains, ct);
        var outcome = await grains.GetGrain<ISubscriptionGrain>(id).Test(ct) ?? throw NotFound();
        return TypedResults.Ok(new PingResult(outcome.Delivered, outcome.Status, outcome.Reason));
    }

    public static async Task<NoContent> Delete(string id, HttpContext http, IGrainFactory grains, CancellationToken ct)
    {
        await OwnedAsync(id, http, grains, ct);
        if (!await grains.GetGrain<ISubscriptionGrain>(id).Delete(ct)) throw NotFound();
        return TypedResults.NoContent();
    }

    private static async Task<SubscriptionStatus> OwnedAsync(string id, HttpContext http, IGrainFactory grains, CancellationToken ct)
    {
        if (!id.StartsWith("s-", StringComparison.Ordinal) || id.Length > 40) throw NotFound();
        var caller = http.User.ToActor();
        var status = await grains.GetGrain<ISubscriptionGrain>(id).Status(ct);
        return status is not null && (caller.Role == Roles.Operator || status.OwnerSubject is { } owner && owner == caller.Subject)
            ? status : throw NotFound();
    }

    private static HueNotFoundException NotFound() => new("No subscription of yours has this id.");

    /// <summary>Reads a subscription request; every problem names its field, unknown fields included.</summary>
    public static SubscriptionSpec Parse(JsonElement body, Actor owner, IReadOnlySet<string> allowedHosts, DateTimeOffset now)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new HueValidationException("body", "Send a JSON object.");
        foreach (var property in body.EnumerateObject())
            if (!Fields.Contains(property.Name)) throw new HueValidationException(property.Name, "Unknown field.");

        var kind = Kind(body, owner);
        var url = String(body, "url") ?? throw new HueValidationException("url", "Required: the https URL to post changes to.");
        if (url.Length > 2000) throw new HueValidationException("url", "Too long.");
        if (WebhookTargets.Refusal(url, allowedHosts) is { } refusal) throw new HueValidationException("url", refusal);

        var secret = String(body, "secret") ?? throw new HueValidationException("secret", "Required: the key deliveries are signed with.");
        if (secret.Length is < 16 or > 256) throw new HueValidationException("secret", "Between 16 and 256 characters.");

        IReadOnlyList<string>? types = null;
        if (body.TryGetProperty("types", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            if (t.ValueKind != JsonValueKind.Array || t.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String) || t.GetArrayLength() == 0)
                throw new HueValidationException("types", "A non-empty array of types.");
            types = ChangesApi.ParseTypes(string.Join(",", t.EnumerateArray().Select(x => x.GetString())));
        }
        if (kind == SubscriptionKind.NationalPortal)
            types = types is null or [ChangeTypes.Case] ? [ChangeTypes.Case] : throw new HueValidationException("types", "A national-portal subscription carries dossiers only: [\"case\"].");
        var commune = String(body, "commune");
        var query = ChangesApi.Query(0, types, commune, 0, owner);

        DateTimeOffset? expiresAt = null;
        if (body.TryGetProperty("expiresAt", out var e) && e.ValueKind != JsonValueKind.Null)
        {
            if (e.ValueKind != JsonValueKind.String || !e.TryGetDateTimeOffset(out var at)) throw new HueValidationException("expiresAt", "An ISO 8601 time with an offset.");
            if (at <= now) throw new HueValidationException("expiresAt", "Must be in the future.");
            expiresAt = at;
        }
        int? maxPerMinute = null;
        if (body.TryGetProperty("maxPerMinute", out var m) && m.ValueKind != JsonValueKind.Null)
        {
            if (m.ValueKind != JsonValueKind.Number || !m.TryGetInt32(out var max) || max is < 1 or > 100_000)
                throw new HueValidationException("maxPerMinute", "A whole number of changes from 1 to 100000.");
            maxPerMinute = max;
        }
        return new SubscriptionSpec(url, query, Filters(body), expiresAt, maxPerMinute, secret, owner, kind);
    }

    /// <summary>webhook (the default) or national-portal, which only operators may create: it sends every commune's dossiers out.</summary>
    private static SubscriptionKind Kind(JsonElement body, Actor owner)
    {
        var name = String(body, "kind");
        var kind = name is null ? SubscriptionKind.Webhook
            : WireNames.Parse<SubscriptionKind>(name) ?? throw new HueValidationException("kind", $"One of {string.Join(", ", WireNames.All<SubscriptionKind>())}.");
        if (kind == SubscriptionKind.NationalPortal && owner.Role != Roles.Operator)
            throw new HueForbiddenException("The national dossier sync is set up by operators.");
        return kind;
    }

    private static SubscriptionFilters Filters(JsonElement body)
    {
        if (!body.TryGetProperty("filters", out var f) || f.ValueKind == JsonValueKind.Null) return new SubscriptionFilters();
        if (f.ValueKind != JsonValueKind.Object) throw new HueValidationException("filters", "An object.");
        foreach (var property in f.EnumerateObject())
            if (!FilterFields.Contains(property.Name)) throw new HueValidationException($"filters.{property.Name}", $"No such filter; the filters are {string.Join(", ", FilterFields)}.");
        int? minAlertLevel = null;
        if (f.TryGetProperty("minAlertLevel", out var l) && l.ValueKind != JsonValueKind.Null)
        {
            if (l.ValueKind != JsonValueKind.Number || !l.TryGetInt32(out var level) || level is < 0 or > 10)
                throw new HueValidationException("filters.minAlertLevel", "A whole number from 0 to 10.");
            minAlertLevel = level;
        }
        return new SubscriptionFilters(Enum<SensorKind>(f, "sensorKind"), minAlertLevel, Enum<CaseStatus>(f, "caseStatus"), Enum<FeedbackCategory>(f, "category"));
    }

    private static T? Enum<T>(JsonElement filters, string name) where T : struct, Enum
    {
        var value = String(filters, name, $"filters.{name}");
        if (value is null) return null;
        return WireNames.Parse<T>(value) ?? throw new HueValidationException($"filters.{name}", $"One of {string.Join(", ", WireNames.All<T>())}.");
    }

    private static string? String(JsonElement parent, string name, string? field = null) =>
        !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new HueValidationException(field ?? name, "A string.");
}
