using HueGrains.Api.OpenApi;

namespace HueGrains.Api.Endpoints;

/// <summary>Alerts: public to read (city-wide or per commune, and per sensor with history); acknowledged by the responsible.</summary>
public static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/alerts", ListAlerts).WithName("ListAlerts").ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem().AllowAnonymous().WithTags("Alerts")
            .Produces<IReadOnlyList<ActiveAlert>>().ProducesGeoJsonToo()
            .WithSummary("Active alerts of the city, or of one commune (?commune=), or of an area (near/radius or bbox); JSON or GeoJSON.");
        var sensor = app.MapGroup("/api/v1/sensors/{id}/alerts").WithTags("Alerts");
        sensor.MapGet("/", GetSensorAlerts).WithName("GetSensorAlerts").AllowAnonymous().WithSummary("A sensor's active alerts and the recent cleared ones.");
        sensor.MapPost("/{rule}/acknowledge", AcknowledgeAlert).WithName("AcknowledgeAlert").ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Policies.OfficialOrOperator)
            .WithSummary("Acknowledge an active alert: an official of the sensor's commune, or an operator.");
        return app;
    }

    /// <param name="commune">Only alerts of this commune.</param>
    /// <param name="near">latitude,longitude of a circle's centre (with radius): alerts of sensors inside it.</param>
    /// <param name="radius">The circle's radius in metres (more than 0, at most 50000).</param>
    /// <param name="bbox">minLon,minLat,maxLon,maxLat (not with near).</param>
    public static async Task<IResult> ListAlerts(string? commune, string? near, string? radius, string? bbox,
        IGrainFactory grains, HttpRequest request, CancellationToken ct)
    {
        if (commune is not null && !Keys.IsCommune(commune))
            return TypedResults.Problem($"No commune has code '{commune}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found.");
        var area = GeoQuery.Parse(near, radius, bbox);
        var geoJson = GeoQuery.WantsGeoJson(request);
        IReadOnlyList<ActiveAlert> alerts = commune is null ? (await grains.City().Get(ct)).ActiveAlerts : (await grains.Commune(commune).Get(ct)).ActiveAlerts;
        if (area is null && !geoJson) return TypedResults.Ok(alerts);

        // Active alerts are few (bounded by the sensor fleet): their sensors' places come from the sensors' projection rows.
        var ids = alerts.Select(a => a.SensorId).Distinct().ToList();
        var places = ids.Count == 0 ? [] : (await grains.Projections().Sensors(new SensorQuery(Area: area, Limit: ids.Count, Ids: ids), ct)).ToDictionary(s => s.Id);
        var inside = alerts.Where(a => area is null || places.ContainsKey(a.SensorId)).ToList();
        return geoJson
            ? GeoQuery.Features(inside, a => (a.SensorId, places.GetValueOrDefault(a.SensorId)?.Latitude, places.GetValueOrDefault(a.SensorId)?.Longitude))
            : TypedResults.Ok<IReadOnlyList<ActiveAlert>>(inside);
    }

    public static async Task<Results<Ok<SensorAlerts>, NotFound>> GetSensorAlerts(string id, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsSensorId(id) || await grains.Sensor(id).Get(ct) is null) return TypedResults.NotFound();
        return TypedResults.Ok(await grains.Sensor(id).GetAlerts(ct));
    }

    public static async Task<Results<Ok<SensorAlert>, NotFound>> AcknowledgeAlert(string id, string rule, ClaimsPrincipal user, IGrainFactory grains, CancellationToken ct) =>
        Keys.IsSensorId(id)
            ? TypedResults.Ok(await grains.Sensor(id).AcknowledgeAlert(rule, user.ToActor(), ct))
            : TypedResults.NotFound();
}
