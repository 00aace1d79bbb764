namespace HueGrains.Api.Endpoints;

/// <summary>Alerts: public to read (city-wide or per commune, and per sensor with history); acknowledged by the responsible.</summary>
public static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/alerts", ListAlerts).WithName("ListAlerts").ProducesProblem(StatusCodes.Status404NotFound).AllowAnonymous().WithTags("Alerts")
            .WithSummary("Active alerts of the city, or of one commune (?commune=).");
        var sensor = app.MapGroup("/api/v1/sensors/{id}/alerts").WithTags("Alerts");
        sensor.MapGet("/", GetSensorAlerts).WithName("GetSensorAlerts").AllowAnonymous().WithSummary("A sensor's active alerts and the recent cleared ones.");
        sensor.MapPost("/{rule}/acknowledge", AcknowledgeAlert).WithName("AcknowledgeAlert").ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Policies.OfficialOrOperator)
            .WithSummary("Acknowledge an active alert: an official of the sensor's commune, or an operator.");
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<ActiveAlert>>, ProblemHttpResult>> ListAlerts(string? commune, IGrainFactory grains, CancellationToken ct)
    {
        if (commune is null) return TypedResults.Ok((await grains.City().Get(ct)).ActiveAlerts);
        return Keys.IsCommune(commune)
            ? TypedResults.Ok((await grains.Commune(commune).Get(ct)).ActiveAlerts)
            : TypedResults.Problem($"No commune has code '{commune}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found.");
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
