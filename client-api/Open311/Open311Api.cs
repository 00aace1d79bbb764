using System.Globalization;
using HueGrains.Api.Endpoints;
using HueGrains.Api.OpenApi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace HueGrains.Api.Open311;

/// <summary>Configuration section <c>Hue:Open311</c>.</summary>
public sealed class Open311Options
{
    public const string Section = "Hue:Open311";

    /// <summary>Keys of the applications allowed to post requests (GeoReport's <c>api_key</c>); from the environment or a file.</summary>
    public List<string> ApiKeys { get; set; } = [];
}

/// <summary>
/// Open311 GeoReport v2 over the Hue-S reports: services are the report categories, a service request is a report.
/// Personal fields a client may send (email, names, phone, device id) are never stored. The reporter is the citizen of
/// a bearer token when one comes with the request, otherwise the report is anonymous.
/// </summary>
/// <summary>One GeoReport error: its HTTP status as code, and what went wrong.</summary>
public sealed record Open311Error(int Code, string Description);

public static class Open311Api
{
    /// <summary>GeoReport rows: field names as GeoReport spells them (snake_case).</summary>
    private sealed class Open311Row : Dictionary<string, object?>;

    private sealed class Open311Rows : List<Open311Row>;

    private static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(90);
    private const int MaxResults = 1000;

    /// <summary>Ids one lookup may name (service_request_id); beyond, 400. Each is a row read, never a grain activation.</summary>
    public const int MaxIdsPerRequest = 50;
    private static readonly string[] Formats = ["application/json", "text/xml"];

    public static IEndpointRouteBuilder MapOpen311Api(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/open311/v2").WithTags("Open311").AllowAnonymous().RequireCors(Hardening.PublicCors);
        group.MapGet("/discovery.{format}", Discovery).GeoReport<Open311Row>("Open311Discovery", StatusCodes.Status200OK)
            .WithSummary("GeoReport v2 discovery.");
        group.MapGet("/services.{format}", Services).GeoReport<Open311Rows>("Open311ListServices", StatusCodes.Status200OK)
            .WithSummary("The report categories as services.");
        group.MapGet("/services/{code}.{format}", Service).GeoReport<Open311Row>("Open311GetService", StatusCodes.Status200OK)
            .WithSummary("A service definition (no extra attributes).");
        group.MapPost("/requests.{format}", PostRequest).DisableAntiforgery()
            .Accepts<Dictionary<string, string>>("application/x-www-form-urlencoded", "application/json")
            .GeoReport<Open311Rows>("Open311PostRequest", StatusCodes.Status201Created, StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden)
            .WithSummary("Submit a report (api_key required).");
        group.MapGet("/requests.{format}", ListRequests).GeoReport<Open311Rows>("Open311ListRequests", StatusCodes.Status200OK, StatusCodes.Status400BadRequest)
            .ProducesGeoJsonToo()
            .WithSummary("Reports: by ids, service codes, dates, status and place (lat/long/radius or bbox); last 90 days and at most 1000 by default.");
        group.MapGet("/requests/{id}.{format}", GetRequest).GeoReport<Open311Rows>("Open311GetRequest", StatusCodes.Status200OK)
            .WithSummary("One report.");
        group.MapGet("/tokens/{token}.{format}", GetToken).GeoReport<Open311Rows>("Open311GetToken", StatusCodes.Status200OK)
            .WithSummary("The request id behind a token (ids are issued at once here).");
        return app;
    }

    /// <summary>
    /// An answer in JSON or XML as the path's format says, and its errors (an unknown format: 404) as GeoReport error
    /// lists rather than problem details, as GeoReport clients expect.
    /// </summary>
    private static RouteHandlerBuilder GeoReport<T>(this RouteHandlerBuilder endpoint, string name, int status, params int[] errors)
    {
        endpoint.WithName(name).Produces<T>(status, "application/json", "text/xml");
        foreach (var error in errors.Append(StatusCodes.Status404NotFound))
            endpoint.Produces<IReadOnlyList<Open311Error>>(error, "application/json", "text/xml");
        return endpoint;
    }

    public static Task<IResult> Discovery(string format, IOptions<PublicBaseUrlOptions> publicUrl) => Guarded(format, () =>
    {
        var url = publicUrl.Value.Resolve("/open311/v2");
        return Task.FromResult(Open311Output.Document(format, "discovery", new Dictionary<string, object?>
        {
            ["changeset"] = "2026-11-28T00:00:00+07:00",
            ["contact"] = "Trung tâm Giám sát, điều hành đô thị thông minh Huế (HueIOC)",
            ["key_service"] = "Ask the city's operators for an api_key for your application.",
            ["endpoints"] = new IReadOnlyDictionary<string, object?>[]
            {
                new Dictionary<string, object?>
                {
                    ["specification"] = "http://wiki.open311.org/GeoReport_v2", ["url"] = url, ["changeset"] = "2026-11-28T00:00:00+07:00",
                    ["type"] = "production", ["formats"] = Formats,
                },
            },
        }));
    });

    public static Task<IResult> Services(string format) =>
        Guarded(format, () => Task.FromResult(Open311Output.List(format, "services", "service", FeedbackCategories.All.Select(ServiceRow))));

    public static Task<IResult> Service(string code, string format) => Guarded(format, () => Task.FromResult(
        FeedbackCategories.FindCode(code) is { } category
            ? Open311Output.Document(format, "service_definition", new Dictionary<string, object?>
            {
                ["service_code"] = category.Code,
                ["attributes"] = Array.Empty<IReadOnlyDictionary<string, object?>>(),
            })
            : Open311Output.Error(format, 404, $"No service has code '{code}'.")));

    public static Task<IResult> PostRequest(string format, HttpContext http, IGrainFactory grains, IOptions<Open311Options> options) => Guarded(format, async () =>
    {
        var fields = await Open311Fields.ReadAsync(http.Request);
        if (fields.Get("api_key") is not { } key || !options.Value.ApiKeys.Contains(key))
            return Open311Output.Error(format, 403, "A valid api_key is required to post a request.");
        var category = FeedbackCategories.FindCode(fields.Get("service_code"));
        if (category is null) return Open311Output.Error(format, 400, "service_code is required and must be one of services.json.");
        var commune = fields.Get("address_id") is { } addressId && Keys.IsCommune(addressId) ? addressId : null;
        var (lat, lon) = (fields.Number("lat"), fields.Number("long"));
        if (commune is null && lat is null)
            return Open311Output.Error(format, 400, "A location is required: lat and long, or address_id (the commune code).");
        var report = new FeedbackReport(category.Category, fields.Get("description") ?? "", commune, lat, lon, fields.Get("address_string"),
            fields.Get("media_url") is { } media ? [media] : null);
        var user = http.User.ToActor();
        var id = Idempotency.NewId(http, Keys.FeedbackPrefix, Keys.NewFeedbackId, caller: $"open311:{DeviceKeys.Hash(key)}"); // the application
        var grain = grains.GetGrain<IFeedbackGrain>(id);
        await grain.Submit(report, user.Role == Roles.Citizen ? user.CitizenId : null, Idempotency.Fingerprint(http, report), http.RequestAborted);
        return Open311Output.List(format, "service_requests", "request", [new Dictionary<string, object?>
        {
            ["service_request_id"] = id,
            ["service_notice"] = Notice(category),
            ["account_id"] = null,
        }], StatusCodes.Status201Created);
    });

    /// <param name="requestIds">service_request_id: comma-separated ids (at most 50); the other filters are then ignored.</param>
    /// <param name="serviceCodes">service_code: comma-separated service codes.</param>
    /// <param name="startDate">start_date: requests submitted at or after (ISO 8601); default 90 days before end_date.</param>
    /// <param name="endDate">end_date: requests submitted before (ISO 8601); default now.</param>
    /// <param name="status">open, closed, or both comma-separated.</param>
    /// <param name="lat">Extension: latitude of a circle's centre (with long and radius).</param>
    /// <param name="lon">long (extension): longitude of the circle's centre.</param>
    /// <param name="radius">Extension: the circle's radius in metres (more than 0, at most 50000).</param>
    /// <param name="bbox">Extension: minLon,minLat,maxLon,maxLat (not with lat/long).</param>
    public static Task<IResult> ListRequests(string format,
        [FromQuery(Name = "service_request_id")] string? requestIds, [FromQuery(Name = "service_code")] string? serviceCodes,
        [FromQuery(Name = "start_date")] string? startDate, [FromQuery(Name = "end_date")] string? endDate,
        string? status, string? lat, [FromQuery(Name = "long")] string? lon, string? radius, string? bbox,
        IGrainFactory grains, HttpRequest request, TimeProvider clock, CancellationToken ct) => Guarded(format, async () =>
    {
        if (bbox is not null && (lat ?? lon ?? radius) is not null)
            throw new HueValidationException("bbox", "Give lat, long and radius, or bbox, not both.");
        var area = GeoQuery.Open311(lat, lon, radius) ?? GeoQuery.Parse(null, null, bbox);
        if (Split(requestIds) is { Length: > 0 } ids)
        {
            if (ids.Distinct().Count() > MaxIdsPerRequest)
                return Open311Output.Error(format, 400, $"service_request_id names at most {MaxIdsPerRequest} ids per request.");
            var known = ids.Where(id => Keys.IsEntityId(id, Keys.FeedbackPrefix)).Distinct().ToList();
            return Answer(format, request, known.Count == 0 ? [] : await RowsAsync(grains, new FeedbackQuery(Ids: known, Limit: MaxResults, Area: area), ct));
        }

        var codes = Split(serviceCodes);
        var categories = codes.Select(FeedbackCategories.FindCode).ToList();
        if (categories.Any(c => c is null)) return Open311Output.Error(format, 400, "service_code holds an unknown code; see services.json.");
        var statuses = Split(status);
        if (statuses.Any(s => s is not ("open" or "closed"))) return Open311Output.Error(format, 400, "status is open or closed.");
        if (!TryDate(endDate, out var end) || !TryDate(startDate, out var start))
            return Open311Output.Error(format, 400, "start_date and end_date are ISO 8601 date-times, e.g. 2026-11-28T08:00:00+07:00.");

        var to = end ?? clock.GetUtcNow();
        var from = start ?? to - DefaultWindow;
        var query = new FeedbackQuery(Open: statuses.Length == 1 ? statuses[0] == "open" : null, From: from, To: to, Limit: MaxResults,
            Categories: [.. categories.Select(c => c!.Category)], Area: area);
        return Answer(format, request, await RowsAsync(grains, query, ct));
    });

    /// <summary>The GeoReport list, or (<c>.json</c> with <c>Accept: application/geo+json</c>) the same rows as GeoJSON Points.</summary>
    private static IResult Answer(string format, HttpRequest request, List<IReadOnlyDictionary<string, object?>> rows) =>
        format == "json" && GeoQuery.WantsGeoJson(request)
            ? GeoQuery.Features(rows, r => ((string?)r["service_request_id"], (double?)r["lat"], (double?)r["long"]))
            : Open311Output.List(format, "service_requests", "request", rows);

    public static Task<IResult> GetRequest(string id, string format, IGrainFactory grains, CancellationToken ct) => Guarded(format, async () =>
        Keys.IsEntityId(id, Keys.FeedbackPrefix) && await RowsAsync(grains, new FeedbackQuery(Ids: [id], Limit: 1), ct) is { Count: 1 } rows
            ? Open311Output.List(format, "service_requests", "request", rows)
            : Open311Output.Error(format, 404, $"No service request has id '{id}'."));

    public static Task<IResult> GetToken(string token, string format, IGrainFactory grains, CancellationToken ct) => Guarded(format, async () =>
        Keys.IsEntityId(token, Keys.FeedbackPrefix) && await RowsAsync(grains, new FeedbackQuery(Ids: [token], Limit: 1), ct) is { Count: 1 }
            ? Open311Output.List(format, "service_requests", "request", [new Dictionary<string, object?> { ["service_request_id"] = token, ["token"] = token }])
            : Open311Output.Error(format, 404, $"No service request has token '{token}'."));

    private static async Task<List<IReadOnlyDictionary<string, object?>>> RowsAsync(IGrainFactory grains, FeedbackQuery query, CancellationToken ct) =>
        [.. (await grains.Projections().Feedback(query, ct)).Select(RequestRow)];

    private static IReadOnlyDictionary<string, object?> ServiceRow(FeedbackCategoryInfo c) => new Dictionary<string, object?>
    {
        ["service_code"] = c.Code,
        ["service_name"] = c.NameVi,
        ["description"] = $"{c.NameEn}. {Notice(c)}",
        ["metadata"] = false,
        ["type"] = "realtime",
        ["keywords"] = c.NameEn.ToLowerInvariant(),
        ["group"] = "Hue-S",
    };

    /// <summary>A report as GeoReport v2 names its fields; never the reporter.</summary>
    private static IReadOnlyDictionary<string, object?> RequestRow(FeedbackRow f)
    {
        var category = f.Category.Info();
        return new Dictionary<string, object?>
        {
            ["service_request_id"] = f.Id,
            ["status"] = f.Open ? "open" : "closed",
            ["status_notes"] = f.Answer,
            ["service_name"] = category.NameVi,
            ["service_code"] = category.Code,
            ["description"] = f.Description,
            ["agency_responsible"] = f.Commune is { } code ? CityMap.Find(code)?.FullNameVi : "HueIOC (đang phân loại / being routed)",
            ["service_notice"] = Notice(category),
            ["requested_datetime"] = HueLocalTime.Format(f.SubmittedAt),
            ["updated_datetime"] = HueLocalTime.Format(f.UpdatedAt),
            ["expected_datetime"] = HueLocalTime.Format(f.DueAt),
            ["address"] = f.Address,
            ["address_id"] = f.Commune,
            ["zipcode"] = null,
            ["lat"] = f.Latitude,
            ["long"] = f.Longitude,
            ["media_url"] = f.PhotoUrl,
        };
    }

    private static string Notice(FeedbackCategoryInfo c) => $"Trả lời trong {c.DeadlineHours} giờ / Answered within {c.DeadlineHours} hours.";

    private static string[] Split(string? list) =>
        list?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    private static bool TryDate(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (text is null) return true;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return false;
        value = parsed;
        return true;
    }

    /// <summary>Unknown formats and the platform's own errors come back as GeoReport error lists, never problem details.</summary>
    private static async Task<IResult> Guarded(string format, Func<Task<IResult>> answer)
    {
        if (!Open311Output.IsFormat(format)) return Open311Output.Error(Open311Output.Json, 404, "Formats are .json and .xml.");
        try
        {
            return await answer();
        }
        catch (HueValidationException e)
        {
            return Open311Output.Error(format, 400, [.. e.Errors.SelectMany(p => p.Value.Select(v => $"{p.Key}: {v}"))]);
        }
        catch (HueForbiddenException e)
        {
            return Open311Output.Error(format, 403, e.Message);
        }
        catch (HueNotFoundException e)
        {
            return Open311Output.Error(format, 404, e.Message);
        }
    }
}
