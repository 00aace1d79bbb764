using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace HueGrains.Api.OpenData;

/// <summary>
/// Open data at <c>/opendata/</c>: a DCAT catalogue (JSON-LD) and four datasets in CSV and JSON, computed from the live
/// entities and the indicator history. No personal data; counts about people follow <see cref="Disclosure"/>.
/// </summary>
public static class OpenDataApi
{
    public const string Licence = "https://creativecommons.org/licenses/by/4.0/";
    private const int MaxDays = 31;

    /// <summary>The days a dataset may name: the platform's data starts after the first, and the last leaves the calendar room to count to its end.</summary>
    private static readonly DateOnly EarliestDay = new(2000, 1, 1), LatestDay = new(9998, 12, 31);

    private sealed record Dataset(string Id, string TitleVi, string TitleEn, string Description, string Periodicity,
        Func<IGrainFactory, DateTimeOffset, DateTimeOffset, CancellationToken, Task<OpenDataTable>> Build);

    private static readonly Dataset[] Datasets =
    [
        new("sensor-hourly", "Số liệu cảm biến theo giờ", "Hourly sensor aggregates",
            "Per commune and sensor kind and hour: sensors reporting, mean of their latest values and the highest value.", "PT1H", SensorHourlyAsync),
        new("indicators-daily", "Chỉ số hằng ngày", "Daily indicators",
            "The city's and each commune's indicators at the end of each day (local time).", "P1D", IndicatorsDailyAsync),
        new("feedback-daily", "Phản ánh hiện trường theo ngày", "Hue-S reports per day",
            "Reports submitted per category, commune and day (local time).", "P1D", FeedbackDailyAsync),
        new("cases-daily", "Hồ sơ thủ tục hành chính theo ngày", "Administrative dossiers per day",
            "Dossiers filed per procedure, commune and day (local time).", "P1D", CasesDailyAsync),
    ];

    public static IEndpointRouteBuilder MapOpenDataApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/opendata").WithTags("Open data").AllowAnonymous().RequireCors(Hardening.PublicCors);
        group.MapGet("/", Catalogue).WithName("OpenDataCatalogue").Produces<Dictionary<string, object?>>(StatusCodes.Status200OK, "application/ld+json")
            .WithSummary("The DCAT catalogue of the city's open datasets (JSON-LD).");
        group.MapGet("/{dataset}.{format}", GetDataset).WithName("GetOpenDataset")
            .Produces<List<Dictionary<string, object?>>>(StatusCodes.Status200OK, "application/json", OpenApi.CsvContent.MediaType)
            .AddOpenApiOperationTransformer(OpenApi.CsvContent.AsText).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A dataset as csv or json, for one local day (?date=yyyy-MM-dd, default today) or from..to (at most 31 days).");
        return app;
    }

    public static IResult Catalogue(IOptions<PublicBaseUrlOptions> publicUrl, TimeProvider clock)
    {
        var root = publicUrl.Value.Resolve("/opendata");
        var modified = HueLocalTime.Format(clock.GetUtcNow());
        var catalogue = new Dictionary<string, object?>
        {
            ["@context"] = new Dictionary<string, string>
            {
                ["dcat"] = "http://www.w3.org/ns/dcat#", ["dct"] = "http://purl.org/dc/terms/", ["xsd"] = "http://www.w3.org/2001/XMLSchema#",
            },
            ["@id"] = root + "/",
            ["@type"] = "dcat:Catalog",
            ["dct:title"] = Texts("Dữ liệu mở thành phố Huế", "Huế city open data"),
            ["dct:publisher"] = "Thành phố Huế (HueIOC)",
            ["dct:license"] = new Dictionary<string, string> { ["@id"] = Licence },
            ["dcat:dataset"] = Datasets.Select(d => new Dictionary<string, object?>
            {
                ["@id"] = $"{root}/#{d.Id}",
                ["@type"] = "dcat:Dataset",
                ["dct:identifier"] = d.Id,
                ["dct:title"] = Texts(d.TitleVi, d.TitleEn),
                ["dct:description"] = d.Description + " Counts of dossiers and reports: 1 to 4 withheld, others rounded to the nearest 5; rates on fewer than 5 withheld.",
                ["dct:license"] = new Dictionary<string, string> { ["@id"] = Licence },
                ["dct:modified"] = new Dictionary<string, string> { ["@value"] = modified, ["@type"] = "xsd:dateTime" },
                ["dct:accrualPeriodicity"] = d.Periodicity,
                ["dcat:distribution"] = new[] { ("csv", "text/csv"), ("json", "application/json") }.Select(f => new Dictionary<string, object?>
                {
                    ["@type"] = "dcat:Distribution",
                    ["dcat:downloadURL"] = new Dictionary<string, string> { ["@id"] = $"{root}/{d.Id}.{f.Item1}" },
                    ["dcat:mediaType"] = f.Item2,
                    ["dct:license"] = new Dictionary<string, string> { ["@id"] = Licence },
                }).ToList(),
            }).ToList(),
        };
        return Results.Json(catalogue, contentType: "application/ld+json; charset=utf-8");
    }

    /// <param name="date">One local day, yyyy-MM-dd (default today in Huế).</param>
    /// <param name="from">First local day of a range.</param>
    /// <param name="to">Last local day of a range (inclusive).</param>
    public static async Task<IResult> GetDataset(string dataset, string format, DateOnly? date, DateOnly? from, DateOnly? to,
        HttpResponse response, IGrainFactory grains, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var found = Datasets.FirstOrDefault(d => d.Id == dataset) ?? throw new HueNotFoundException($"No dataset '{dataset}'; see /opendata/.");
        if (format is not ("csv" or "json")) throw new HueNotFoundException("Datasets come as .csv or .json.");
        var today = HueLocalTime.Date(clock.GetUtcNow());
        var (first, last) = (from ?? date ?? today, to ?? date ?? from ?? today);
        if (first < EarliestDay || last > LatestDay)
            throw new HueValidationException(date is not null ? "date" : first < EarliestDay ? "from" : "to",
                $"Days run from {EarliestDay:yyyy-MM-dd} to {LatestDay:yyyy-MM-dd}.");
        if (last < first) throw new HueValidationException("to", "'to' is on or after 'from'.");
        if (last.DayNumber - first.DayNumber >= MaxDays) throw new HueValidationException("from", $"At most {MaxDays} days per request.");
        var table = await found.Build(grains, HueLocalTime.StartOf(first), HueLocalTime.StartOf(last.AddDays(1)), ct);
        response.Headers.ContentDisposition = $"inline; filename=\"{dataset}_{first:yyyyMMdd}-{last:yyyyMMdd}.{format}\"";
        return format == "csv"
            ? Results.Text(table.ToCsv(), "text/csv; charset=utf-8")
            : Results.Text(table.ToJson(json.Value.SerializerOptions), "application/json; charset=utf-8");
    }

    private static Dictionary<string, string>[] Texts(string vi, string en) =>
        [new() { ["@value"] = vi, ["@language"] = "vi" }, new() { ["@value"] = en, ["@language"] = "en" }];

    private static string CommuneName(string scope) => scope == Keys.City ? CityMap.CityName : CityMap.Find(scope)?.FullNameVi ?? scope;

    private static async Task<OpenDataTable> SensorHourlyAsync(IGrainFactory grains, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var hours = await grains.City().Hourly(from, to, ct);
        return new(["hour", "scope", "name", "kind", "unit", "sensors", "mean", "max"],
            [.. hours.Select(h => new object?[] { h.Hour.ToOffset(HueLocalTime.Offset), h.Scope, CommuneName(h.Scope),
                WireNames.Of(h.Kind), h.Kind.Info().Unit, h.Sensors, h.Mean, h.Max })]);
    }

    /// <summary>The indicators about people in indicators-daily, published as <see cref="Disclosure"/> says (as on every public surface).</summary>
    private static readonly string[] PeopleColumns =
    [
        "casesReceived", "openCases", "overdueCases", "resolvedCases", "onTimeRate", "openFeedback", "overdueFeedback", "resolvedFeedback",
        "satisfactionRate", "medianHoursToResolve",
    ];

    private static async Task<OpenDataTable> IndicatorsDailyAsync(IGrainFactory grains, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var days = await grains.City().Daily(from, to, ct);
        return new(["date", "scope", "name", "flood_alert_level", "sensors", "sensors_reporting", "cases_received", "open_cases", "overdue_cases",
                "resolved_cases", "on_time_rate", "open_feedback", "overdue_feedback", "resolved_feedback", "satisfaction_rate", "median_hours_to_resolve"],
            [.. days.Select(s => s.Indicators is var i
                ? new object?[] { HueLocalTime.Date(s.At), s.Scope, CommuneName(s.Scope), i.FloodAlertLevel, i.Sensors, i.SensorsReporting }
                    .Concat(PeopleColumns.Select(c => (object?)(s.Scope == Keys.City ? Disclosure.CityValue(i, CommunesOf(s), c) : Disclosure.Value(i, c))))
                    .ToArray()
                : [])]);

        // The city's row sits beside its communes' rows of the same day: its totals must not give one of them away.
        List<Indicators> CommunesOf(IndicatorSample city) =>
            [.. days.Where(d => d.Scope != Keys.City && HueLocalTime.Date(d.At) == HueLocalTime.Date(city.At)).Select(d => d.Indicators)];
    }

    private static async Task<OpenDataTable> FeedbackDailyAsync(IGrainFactory grains, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var counts = await grains.Projections().DailyCounts(EntityKind.Feedback, from, to, ct);
        return new(["date", "commune", "name", "category", "category_name", "reports"],
            [.. counts.Select(c => new object?[] { c.Day, c.Commune, CommuneName(c.Commune), c.Group,
                FeedbackCategories.FindCode(c.Group)?.NameVi, Disclosure.Count(c.Count) })]);
    }

    private static async Task<OpenDataTable> CasesDailyAsync(IGrainFactory grains, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var counts = await grains.Projections().DailyCounts(EntityKind.Case, from, to, ct);
        return new(["date", "commune", "name", "procedure", "procedure_name", "dossiers"],
            [.. counts.Select(c => new object?[] { c.Day, c.Commune, CommuneName(c.Commune), c.Group,
                ProcedureCatalog.Find(c.Group)?.NameVi, Disclosure.Count(c.Count) })]);
    }
}
