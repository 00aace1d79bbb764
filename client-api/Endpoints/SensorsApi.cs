using System.Text.Json.Serialization;
using HueGrains.Api.Ingest;
using HueGrains.Api.OpenApi;
using HueGrains.Api.Problems;

namespace HueGrains.Api.Endpoints;

public sealed record SensorRequest(
    SensorKind? Kind, string? Unit, string? Commune, double? Latitude, double? Longitude, double[]? Thresholds, string? Label,
    int? ExpectedIntervalSeconds = null)
{
    /// <summary>The spec to provision, once every required field is present (the grain checks the values).</summary>
    public SensorSpec ToSpec()
    {
        Required.Fields(
            (Kind, "kind", "Kind is required: water-level, pm25, pm10, temperature, rainfall, humidity, noise or traffic-count."),
            (Unit, "unit", "Unit is required."),
            (Commune, "commune", "Commune code is required."),
            (Latitude, "latitude", "Latitude is required."),
            (Longitude, "longitude", "Longitude is required."));
        return new SensorSpec(Kind!.Value, Unit!, Commune!, Latitude!.Value, Longitude!.Value, Thresholds, Label, ExpectedIntervalSeconds: ExpectedIntervalSeconds);
    }
}

public sealed record ReadingRequest(DateTimeOffset? At, double? Value);

/// <summary>One reading (<c>at</c>, <c>value</c>) or a batch (<c>readings</c>, read no further than the batch limit).</summary>
public sealed record ReadingsRequest(DateTimeOffset? At, double? Value,
    [property: JsonConverter(typeof(BatchConverter<ReadingRequest>))] List<ReadingRequest>? Readings);

public static class SensorsApi
{
    private const string IncompleteReading = "Each reading needs 'at' and 'value'.";

    public static IEndpointRouteBuilder MapSensorsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/sensors").WithTags("Sensors");
        group.MapPut("/{id}", ProvisionSensor).WithName("ProvisionSensor").ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Operator)
            .WithSummary("Provision or update a sensor; on creation the answer holds its device key, shown once.");
        group.MapGet("/", ListSensors).WithName("ListSensors").AllowAnonymous()
            .Produces<Page<SensorPlace>>().ProducesGeoJsonToo().ProducesValidationProblem()
            .WithSummary("Sensors and their places, by commune, kind or area (near/radius or bbox); JSON or GeoJSON (Accept: application/geo+json).");
        group.MapGet("/{id}", GetSensor).WithName("GetSensor").AllowAnonymous().AddEndpointFilter<RetryTransient>()
            .WithSummary("Latest reading, rolling statistics (1 min, 1 h, 24 h) and alert level.");
        group.MapPost("/{id}/readings", PostReadings).WithName("PostSensorReadings").ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Policies.DeviceOrOperator).AddEndpointFilter<RetryTransient>()
            .WithMetadata(DeviceLaneEndpoint.Readings) // a device's plain JSON takes the lean path (DeviceLane)
            .WithSummary("Ingest one reading or a batch; authenticated by X-Device-Key or an operator token.");
        group.MapGet("/{id}/readings", GetReadings).WithName("GetSensorReadings").ProducesValidationProblem().AllowAnonymous().AddEndpointFilter<RetryTransient>()
            .WithSummary("History: raw readings or 1m/1h/1d buckets (aligned to Asia/Ho_Chi_Minh time) between from and to.");
        return app;
    }

    public static async Task<Results<Created<SensorView>, Ok<SensorView>>> ProvisionSensor(
        string id, SensorRequest request, IGrainFactory grains, CancellationToken ct)
    {
        EnsureSensorId(id);
        var result = await grains.Sensor(id).Provision(request.ToSpec(), ct);
        return result.Created
            ? TypedResults.Created($"/api/v1/sensors/{id}", result.Sensor)
            : TypedResults.Ok(result.Sensor);
    }

    /// <param name="commune">Only sensors of this commune.</param>
    /// <param name="kind">Only sensors of this kind, e.g. water-level.</param>
    /// <param name="near">latitude,longitude of a circle's centre (with radius).</param>
    /// <param name="radius">The circle's radius in metres (more than 0, at most 50000).</param>
    /// <param name="bbox">minLon,minLat,maxLon,maxLat (not with near).</param>
    /// <param name="limit">At most this many per page, by id descending (1–1000, default 100).</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page.</param>
    public static async Task<IResult> ListSensors(string? commune, string? kind, string? near, string? radius, string? bbox, int? limit, string? cursor,
        IGrainFactory grains, HttpRequest request, CancellationToken ct)
    {
        if (commune is not null && !Keys.IsCommune(commune)) throw new HueValidationException("commune", $"Unknown commune code '{commune}'.");
        var size = Paging.Limit(limit);
        var query = new SensorQuery(commune, QueryEnum.Parse<SensorKind>(kind, "kind"), GeoQuery.Parse(near, radius, bbox), size + 1, Paging.Parse(cursor));
        var page = Paging.Of(await grains.Projections().Sensors(query, ct), size, s => (SensorQuery.SortInstant, s.Id));
        return GeoQuery.WantsGeoJson(request)
            ? GeoQuery.Features(page.Items, s => (s.Id, s.Latitude, s.Longitude), page.NextCursor)
            : TypedResults.Ok(page);
    }

    public static async Task<Results<Ok<SensorView>, NotFound>> GetSensor(string id, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsSensorId(id)) return TypedResults.NotFound();
        return await grains.Sensor(id).Get(ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();
    }

    // Operators, and the device requests the DeviceLane leaves to the full path (unusual bodies, refusals).
    public static async Task<Results<Accepted<IngestResult>, ProblemHttpResult>> PostReadings(string id, ReadingsRequest request,
        ClaimsPrincipal user, DeviceIngest ingest, HttpContext http, CancellationToken ct)
    {
        EnsureSensorId(id);
        var (readings, single) = ToReadings(request);
        var keyHash = user.DeviceKeyHashOf(); // null only for an operator; a device always has its key checked
        if (keyHash is not null && HueClaims.PresentedDeviceSensor(user) != id)
            throw new HueForbiddenException("The device key does not belong to this sensor."); // decided without waking that sensor
        if (keyHash is not null && !ingest.TryTakeQuota("http", keyHash, readings.Count)) return DeviceRateLimiter.TooMany(http);
        var result = await ingest.IngestAsync("http", id, readings, keyHash, null, ct);
        ThrowIfNothingUsable(result, single);
        return TypedResults.Accepted($"/api/v1/sensors/{id}", result);
    }

    /// <summary>Nothing usable: answer like any other invalid input, naming each field.</summary>
    public static void ThrowIfNothingUsable(IngestResult result, bool oneReading)
    {
        if (result.Accepted + result.Duplicates == 0)
            throw ErrorList.Exception(result.Results.Select((r, i) => (oneReading ? r.Field! : $"readings[{i}].{r.Field}", r.Reason!)));
    }

    /// <param name="from">Start (inclusive), ISO 8601; default 24 hours before <paramref name="to"/>.</param>
    /// <param name="to">End (exclusive), ISO 8601; default now.</param>
    /// <param name="bucket">raw (default), 1m, 1h or 1d.</param>
    /// <param name="limit">Raw readings per page, at most 10000 (default 1000); <c>nextFrom</c> continues.</param>
    public static async Task<Results<Ok<SensorHistory>, NotFound>> GetReadings(
        string id, DateTimeOffset? from, DateTimeOffset? to, string? bucket, int? limit, IGrainFactory grains, TimeProvider clock, CancellationToken ct)
    {
        if (!Keys.IsSensorId(id)) return TypedResults.NotFound();
        var resolution = QueryEnum.Bucket(bucket) ?? TimeBucket.Raw;
        if (limit is < 1 or > 10_000) throw new HueValidationException("limit", "Limit is 1 to 10000.");
        var end = to ?? clock.GetUtcNow();
        var start = from ?? end.AddDays(-1);
        if (end <= start) throw new HueValidationException("to", "'to' must be after 'from'.");
        if (await grains.Sensor(id).Get(ct) is null) return TypedResults.NotFound();
        return TypedResults.Ok(await grains.Sensor(id).History(start, end, resolution, limit ?? 1000, ct));
    }

    /// <summary>
    /// The readings of a JSON body: one (<c>at</c>, <c>value</c>) or a batch (<c>readings</c>), checked for presence only;
    /// the sensor grain owns the rest (batch size, values, times).
    /// </summary>
    public static (List<Reading> Readings, bool Single) ToReadings(ReadingsRequest request)
    {
        if (request.Readings is not null)
        {
            if (request.At is not null || request.Value is not null)
                throw new HueValidationException("readings", "Send either one reading (at, value) or a batch (readings), not both.");
            var missing = request.Readings
                .Select((r, i) => (r, i))
                .Where(x => x.r is null || x.r.At is null || x.r.Value is null)
                .Select(x => ($"readings[{x.i}]", IncompleteReading))
                .ToList();
            if (missing.Count > 0) throw ErrorList.Exception(missing);
            return ([.. request.Readings.Select(r => new Reading(r.At!.Value, r.Value!.Value))], false);
        }
        Required.Fields((request.At, "at", "A timestamp (ISO 8601 with offset) is required."), (request.Value, "value", "A value is required."));
        return ([new Reading(request.At!.Value, request.Value!.Value)], true);
    }

    internal static void EnsureSensorId(string id)
    {
        if (!Keys.IsSensorId(id))
            throw new HueValidationException("id", "A sensor id is 1–128 characters: lower-case ASCII letters, digits, '.', '_', '-' or ':', starting with a letter or digit.");
    }
}
