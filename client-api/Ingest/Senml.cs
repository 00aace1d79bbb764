using System.Text.Json;
using System.Text.Json.Serialization;

namespace HueGrains.Api.Ingest;

/// <summary>One SenML record (RFC 8428, JSON): base fields apply to it and to the records after it.</summary>
public sealed record SenmlRecord(
    [property: JsonPropertyName("bn")] string? BaseName,
    [property: JsonPropertyName("bt")] double? BaseTime,
    [property: JsonPropertyName("bu")] string? BaseUnit,
    [property: JsonPropertyName("bv")] double? BaseValue,
    [property: JsonPropertyName("n")] string? Name,
    [property: JsonPropertyName("u")] string? Unit,
    [property: JsonPropertyName("v")] double? Value,
    [property: JsonPropertyName("t")] double? Time,
    [property: JsonPropertyName("s")] double? Sum);

/// <summary>A resolved SenML reading: the device (from the base name), its time and value, the unit if stated.</summary>
public sealed record SenmlReading(int Index, string Sensor, Reading Reading, string? Unit);

public static class Senml
{
    public const string ContentType = "application/senml+json";

    /// <summary>Times below 2^28 seconds are relative to now (RFC 8428 §4.5.3).</summary>
    private const double RelativeTimeLimit = 268_435_456;

    /// <summary>
    /// Resolves a SenML pack. The base name names the device: "urn:dev:ow:10e2073a01080063:" with "n":"temp" is device
    /// urn:dev:ow:10e2073a01080063 (a trailing ':' or '/' separates the measurement name); without a base name the
    /// record's own name is the device. Records that are not numeric readings are errors naming their index.
    /// </summary>
    public static List<SenmlReading> Resolve(IReadOnlyList<SenmlRecord> pack, DateTimeOffset now, string? defaultDevice = null)
    {
        var errors = new Dictionary<string, string[]>();
        var readings = new List<SenmlReading>();
        string? baseName = null, baseUnit = null;
        double baseTime = 0, baseValue = 0;
        for (var i = 0; i < pack.Count; i++)
        {
            var r = pack[i];
            if (r is null)
            {
                errors[$"[{i}]"] = ["A SenML record is an object."];
                continue;
            }
            baseName = r.BaseName ?? baseName;
            baseUnit = r.BaseUnit ?? baseUnit;
            baseTime = r.BaseTime ?? baseTime;
            baseValue = r.BaseValue ?? baseValue;
            if (r.Value is null && r.Sum is null && r.BaseValue is null)
            {
                if (r.Name is not null) errors[$"[{i}].v"] = ["Only numeric readings (v) are accepted."];
                continue; // a record that only sets base fields
            }
            // Over MQTT the topic names the device, so a pack may leave the names out.
            var sensor = (baseName is { Length: > 0 } ? baseName.TrimEnd(':', '/') : r.Name ?? defaultDevice ?? "").Trim();
            if (!Keys.IsSensorId(sensor))
            {
                errors[$"[{i}].bn"] = [$"'{sensor}' is not a device id: lower-case letters, digits, '.', '_', '-', ':'."];
                continue;
            }
            var value = baseValue + (r.Value ?? r.Sum ?? 0);
            if (!double.IsFinite(value))
            {
                errors[$"[{i}].v"] = ["A value is a finite number."];
                continue;
            }
            var time = baseTime + (r.Time ?? 0);
            var at = time < RelativeTimeLimit ? now.AddSeconds(time) : DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(time * 1000));
            readings.Add(new SenmlReading(i, sensor, new Reading(at, value), r.Unit ?? baseUnit));
        }
        if (errors.Count > 0) throw new HueValidationException(errors);
        if (readings.Count == 0) throw new HueValidationException("body", "The SenML pack holds no reading.");
        return readings;
    }

    public static async Task<List<SenmlRecord>> ReadAsync(Stream body, CancellationToken ct)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<List<SenmlRecord>>(body, HueJson.Options, ct)
                ?? throw new HueValidationException("body", "A SenML pack is a JSON array of records.");
        }
        catch (JsonException ex)
        {
            var field = ex.Path?.TrimStart('$') is { Length: > 0 } path ? path.TrimStart('.') : "body";
            throw new HueValidationException(field, Problems.ClientText.Describe(ex));
        }
    }
}
