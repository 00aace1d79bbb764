using System.Diagnostics;
using HueGrains.Api.Ingest;

namespace HueGrains.Api.Endpoints;

/// <summary>One reading's answer in a multi-sensor batch.</summary>
public sealed record BatchReadingOutcome(string Sensor, DateTimeOffset At, ReadingStatus Status, string? Field = null, string? Reason = null);

public sealed record BatchIngestResult(int Accepted, int Duplicates, int Rejected, IReadOnlyList<BatchReadingOutcome> Results);

/// <summary>
/// Readings of many sensors in one request: SenML (<c>application/senml+json</c>, RFC 8428). Each sensor's readings go to
/// its grain in one call; the answer keeps the pack's order. A device key may only write its own sensor's readings.
/// </summary>
public static class ReadingsApi
{
    public static IEndpointRouteBuilder MapReadingsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/readings", PostReadings).RequireAuthorization(Policies.DeviceOrOperator).WithTags("Sensors")
            .WithMetadata(DeviceLaneEndpoint.Senml) // a device's pack of its own readings takes the lean path (DeviceLane)
            .Accepts<List<SenmlRecord>>(Senml.ContentType).WithName("PostSenmlReadings").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Ingest a SenML pack (RFC 8428): base name = device, base time/value/unit, relative times.");
        return app;
    }

    public static async Task<Results<Accepted<BatchIngestResult>, ProblemHttpResult>> PostReadings(
        HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, DeviceRateLimiter limiter, HueMetrics metrics, TimeProvider clock, CancellationToken ct)
    {
        var keyHash = user.DeviceKeyHashOf(); // null only for an operator; a device always has its key checked
        if (keyHash is not null && !limiter.TryAcquire(keyHash))
        {
            metrics.Rejected("senml", "rate-limit");
            return DeviceRateLimiter.TooMany(request.HttpContext);
        }
        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), Senml.ContentType, StringComparison.OrdinalIgnoreCase))
            return TypedResults.Problem($"Send a SenML pack as {Senml.ContentType}.", statusCode: StatusCodes.Status415UnsupportedMediaType);
        var pack = await Senml.ReadAsync(request.Body, ct);
        var readings = Senml.Resolve(pack, clock.GetUtcNow());

        var own = HueClaims.PresentedDeviceSensor(user); // a device writes only its own sensor: others are refused unwoken
        var groups = readings.GroupBy(r => (r.Sensor, r.Unit)).ToList();
        var answers = await Task.WhenAll(groups.Select(g => keyHash is not null && g.Key.Sensor != own
            ? Task.FromResult(Refused(metrics, g.Key.Sensor, [.. g], "The device key does not belong to this sensor."))
            : IngestGroup(grains, metrics, g.Key.Sensor, g.Key.Unit, [.. g], keyHash, ct)));
        var results = answers.SelectMany(a => a).OrderBy(a => a.Index).Select(a => a.Outcome).ToList();
        ThrowIfAllRejected(results.Select((r, i) => (readings[i].Index, r.Status, r.Reason)));
        return TypedResults.Accepted("/api/v1/readings", new BatchIngestResult(
            results.Count(r => r.Status == ReadingStatus.Accepted), results.Count(r => r.Status == ReadingStatus.Duplicate),
            results.Count(r => r.Status == ReadingStatus.Rejected), results));
    }

    /// <summary>Nothing usable in the pack: a problem naming each record (its index in the pack) and why.</summary>
    public static void ThrowIfAllRejected(IEnumerable<(int Index, ReadingStatus Status, string? Reason)> outcomes)
    {
        var all = outcomes.ToList();
        if (all.All(o => o.Status == ReadingStatus.Rejected))
            throw ErrorList.Exception(all.Select(o => ($"[{o.Index}]", o.Reason ?? "Rejected.")));
    }

    /// <summary>A sensor's readings; an unknown sensor or another device's key rejects them, not the whole pack.</summary>
    private static async Task<IEnumerable<(int Index, BatchReadingOutcome Outcome)>> IngestGroup(
        IGrainFactory grains, HueMetrics metrics, string sensor, string? unit, List<SenmlReading> group, string? keyHash, CancellationToken ct)
    {
        string? problem;
        try
        {
            var started = Stopwatch.GetTimestamp();
            var result = await grains.Sensor(sensor).Ingest([.. group.Select(g => g.Reading)], keyHash, unit, ct);
            metrics.Record("senml", result, Stopwatch.GetElapsedTime(started).TotalSeconds);
            return group.Zip(result.Results, (g, r) => (g.Index, new BatchReadingOutcome(sensor, r.At, r.Status, r.Field, r.Reason)));
        }
        catch (HueNotFoundException)
        {
            problem = "No provisioned sensor has this id.";
        }
        catch (HueForbiddenException)
        {
            problem = "The device key does not belong to this sensor.";
        }
        catch (HueValidationException ex)
        {
            problem = string.Join(" ", ex.Errors.SelectMany(e => e.Value));
        }
        return Refused(metrics, sensor, group, problem);
    }

    private static IEnumerable<(int Index, BatchReadingOutcome Outcome)> Refused(HueMetrics metrics, string sensor, List<SenmlReading> group, string problem)
    {
        metrics.Rejected("senml", "invalid", group.Count);
        return group.Select(g => (g.Index, new BatchReadingOutcome(sensor, g.Reading.At, ReadingStatus.Rejected, "bn", problem)));
    }
}
