using System.Globalization;
using System.Text.Json;

namespace HueGrains.Api.Endpoints;

public sealed record BulkProvisionRow(int Row, string? Id, string Status, string? DeviceKey = null, IReadOnlyDictionary<string, string[]>? Errors = null);

public sealed record BulkProvisionResult(int Created, int Updated, int Rejected, IReadOnlyList<BulkProvisionRow> Results);

/// <summary>
/// Operators provision sensors in bulk (a JSON array or CSV with a header line) and manage device keys. Each row is
/// answered on its own; a new sensor's device key appears once, in its row.
/// </summary>
public static class ProvisioningApi
{
    public const int MaxRows = 1000;

    /// <summary>CSV columns; the first six are required.</summary>
    public static readonly string[] CsvColumns = ["id", "kind", "unit", "commune", "latitude", "longitude", "label", "expectedIntervalSeconds"];

    public static IEndpointRouteBuilder MapProvisioningApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/sensors").WithTags("Sensors").RequireAuthorization(Policies.Operator);
        group.MapPost("/", ProvisionMany).WithName("ProvisionSensors").Accepts<List<BulkSensorRequest>>("application/json", "text/csv")
            .AddOpenApiOperationTransformer(OpenApi.CsvContent.AsText).ProducesValidationProblem().ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Provision up to 1000 sensors from a JSON array or CSV (id,kind,unit,commune,latitude,longitude[,label,expectedIntervalSeconds]).");
        group.MapPost("/{id}/key", RotateKey).WithName("RotateDeviceKey").WithSummary("Issue a new device key (shown once); the old one stops working.");
        group.MapDelete("/{id}/key", RevokeKey).WithName("RevokeDeviceKey").WithSummary("Revoke the device key; the device is refused until a new key is issued.");
        return app;
    }

    public static async Task<Ok<BulkProvisionResult>> ProvisionMany(HttpRequest request, IGrainFactory grains, CancellationToken ct)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var rows = mediaType switch
        {
            "text/csv" => ReadCsv(await new StreamReader(request.Body).ReadToEndAsync(ct)),
            "application/json" => await ReadJsonAsync(request.Body, ct),
            _ => throw new BadHttpRequestException("Send application/json or text/csv.", StatusCodes.Status415UnsupportedMediaType),
        };
        if (rows.Count == 0) throw new HueValidationException("body", "No sensor to provision.");
        if (rows.Count > MaxRows) throw new HueValidationException("body", $"At most {MaxRows} sensors per request.");

        var results = new BulkProvisionRow[rows.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
            async (i, token) => results[i] = await ProvisionRow(i + 1, rows[i].Id, rows[i].Request, grains, token));
        return TypedResults.Ok(new BulkProvisionResult(
            results.Count(r => r.Status == "created"), results.Count(r => r.Status == "updated"), results.Count(r => r.Status == "rejected"), results));
    }

    public static async Task<Results<Ok<DeviceKeyResponse>, NotFound>> RotateKey(string id, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsSensorId(id)) return TypedResults.NotFound();
        return TypedResults.Ok(new DeviceKeyResponse(id, await grains.Sensor(id).RotateKey(ct)));
    }

    public static async Task<Results<NoContent, NotFound>> RevokeKey(string id, IGrainFactory grains, CancellationToken ct)
    {
        if (!Keys.IsSensorId(id)) return TypedResults.NotFound();
        await grains.Sensor(id).RevokeKey(ct);
        return TypedResults.NoContent();
    }

    private static async Task<BulkProvisionRow> ProvisionRow(int row, string? id, SensorRequest request, IGrainFactory grains, CancellationToken ct)
    {
        try
        {
            SensorsApi.EnsureSensorId(id ?? "");
            var result = await grains.Sensor(id!).Provision(request.ToSpec(), ct);
            return new BulkProvisionRow(row, id, result.Created ? "created" : "updated", result.Sensor.DeviceKey);
        }
        catch (HueValidationException ex)
        {
            return new BulkProvisionRow(row, id, "rejected", Errors: ex.Errors);
        }
        catch (HueConflictException ex)
        {
            return new BulkProvisionRow(row, id, "rejected", Errors: new Dictionary<string, string[]> { ["id"] = [ex.Message] });
        }
    }

    private static async Task<List<(string? Id, SensorRequest Request)>> ReadJsonAsync(Stream body, CancellationToken ct)
    {
        List<BulkSensorRequest?>? items;
        try
        {
            items = await JsonSerializer.DeserializeAsync<List<BulkSensorRequest?>>(body, HueJson.Options, ct);
        }
        catch (JsonException ex)
        {
            // Same answer as a malformed body anywhere else: a 400 naming the JSON path.
            throw new BadHttpRequestException("The body is not a JSON array of sensors.", StatusCodes.Status400BadRequest, ex);
        }
        if (items is null) throw new HueValidationException("body", "A JSON array of sensors is expected.");
        return [.. items.Select(i => (i?.Id, i?.ToRequest() ?? new SensorRequest(null, null, null, null, null, null, null)))];
    }

    /// <summary>CSV (RFC 4180: quoted fields may hold commas, quotes and line breaks) with a header naming the columns.</summary>
    public static List<(string? Id, SensorRequest Request)> ReadCsv(string text)
    {
        var records = CsvRecords(text).Where(r => r.Count > 1 || r[0].Length > 0).ToList();
        if (records.Count == 0) return [];
        var header = records[0].Select(h => h.Trim()).ToList();
        var unknown = header.Where(h => !CsvColumns.Contains(h, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0 || !CsvColumns.Take(6).All(header.Contains))
            throw new HueValidationException("header", $"The header names the columns {string.Join(",", CsvColumns)}; the first six are required.");

        return [.. records.Skip(1).Select(fields =>
        {
            string? Field(string name) => header.IndexOf(name) is var i and >= 0 && i < fields.Count && fields[i].Trim() is { Length: > 0 } v ? v : null;
            double? Number(string name) => double.TryParse(Field(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
            SensorKind? kind = Enum.TryParse<SensorKind>(Field("kind")?.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var k) ? k : null;
            int? interval = int.TryParse(Field("expectedIntervalSeconds"), CultureInfo.InvariantCulture, out var s) ? s : null;
            return (Field("id"), new SensorRequest(kind, Field("unit"), Field("commune"), Number("latitude"), Number("longitude"), null, Field("label"), interval));
        })];
    }

    private static IEnumerable<List<string>> CsvRecords(string text)
    {
        var record = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { record.Add(field.ToString()); field.Clear(); }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                record.Add(field.ToString());
                field.Clear();
                yield return record;
                record = [];
            }
            else field.Append(c);
        }
        if (field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            yield return record;
        }
    }
}

public sealed record DeviceKeyResponse(string SensorId, string DeviceKey);

public sealed record BulkSensorRequest(
    string? Id, SensorKind? Kind, string? Unit, string? Commune, double? Latitude, double? Longitude, double[]? Thresholds, string? Label,
    int? ExpectedIntervalSeconds)
{
    public SensorRequest ToRequest() => new(Kind, Unit, Commune, Latitude, Longitude, Thresholds, Label, ExpectedIntervalSeconds);
}
