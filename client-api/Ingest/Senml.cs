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

    /// <summary>Records a pack may hold: the readings' limit, plus as many that only set base fields.</summary>
    public const int MaxRecords = 2 * IngestLimits.MaxBatch;

    /// <summary>Times below 2^28 seconds are relative to now (RFC 8428 §4.5.3).</summary>
    private const double RelativeTimeLimit = 268_435_456;

    /// <summary>The seconds since 1970 a time can name (the calendar's ends, with a second to spare for rounding).</summary>
    private static readonly double EarliestTime = DateTimeOffset.MinValue.ToUnixTimeSeconds() + 1, LatestTime = DateTimeOffset.MaxValue.ToUnixTimeSeconds() - 1;

    private const string BadTime = "A time is seconds since 1970-01-01 UTC, or below 2^28 relative to now, within years 1 to 9999.";

    /// <summary>
    /// Resolves a SenML pack. The base name names the device: "urn:dev:ow:10e2073a01080063:" with "n":"temp" is device
    /// urn:dev:ow:10e2073a01080063 (a trailing ':' or '/' separates the measurement name); without a base name the
    /// record's own name is the device. Records that are not numeric readings are errors naming their index; an answer
    /// lists the first <see cref="ErrorList.MaxShown"/> and counts the rest. Shared by HTTP and MQTT.
    /// </summary>
    public static List<SenmlReading> Resolve(IReadOnlyList<SenmlRecord> pack, DateTimeOffset now, string? defaultDevice = null)
    {
        if (pack.Count > MaxRecords) throw new HueValidationException("body", $"At most {MaxRecords} records per pack.");
        var errors = new List<(string Field, string Error)>();
        var readings = new List<SenmlReading>();
        string? baseName = null, baseUnit = null;
        double baseTime = 0, baseValue = 0;
        for (var i = 0; i < pack.Count; i++)
        {
            var r = pack[i];
            if (r is null)
            {
                errors.Add(($"[{i}]", "A SenML record is an object."));
                continue;
            }
            baseName = r.BaseName ?? baseName;
            baseUnit = r.BaseUnit ?? baseUnit;
            baseTime = r.BaseTime ?? baseTime;
            baseValue = r.BaseValue ?? baseValue;
            if (r.Value is null && r.Sum is null && r.BaseValue is null)
            {
                if (r.Name is not null) errors.Add(($"[{i}].v", "Only numeric readings (v) are accepted."));
                continue; // a record that only sets base fields
            }
            // Over MQTT the topic names the device, so a pack may leave the names out.
            var sensor = (baseName is { Length: > 0 } ? baseName.TrimEnd(':', '/') : r.Name ?? defaultDevice ?? "").Trim();
            if (!Keys.IsSensorId(sensor))
            {
                // Echoed escaped and shortened: an answer or a log line never carries the sender's control characters.
                errors.Add(($"[{i}].bn", $"'{LogText.Escape(sensor)}' is not a device id: lower-case letters, digits, '.', '_', '-', ':'."));
                continue;
            }
            var value = baseValue + (r.Value ?? r.Sum ?? 0);
            if (!double.IsFinite(value))
            {
                errors.Add(($"[{i}].v", "A value is a finite number."));
                continue;
            }
            if (!TryTime(baseTime + (r.Time ?? 0), now, out var at))
            {
                errors.Add(($"[{i}].t", BadTime));
                continue;
            }
            if (readings.Count == IngestLimits.MaxBatch) throw new HueValidationException("body", $"At most {IngestLimits.MaxBatch} readings per request.");
            readings.Add(new SenmlReading(i, sensor, new Reading(at, value), r.Unit ?? baseUnit));
        }
        if (errors.Count > 0) throw ErrorList.Exception(errors);
        if (readings.Count == 0) throw new HueValidationException("body", "The SenML pack holds no reading.");
        return readings;
    }

    /// <summary>A record's time (base time + time): seconds since 1970, or below 2^28 relative to now.</summary>
    public static bool TryTime(double time, DateTimeOffset now, out DateTimeOffset at)
    {
        at = default;
        var relative = time < RelativeTimeLimit;
        var seconds = relative ? now.ToUnixTimeMilliseconds() / 1000.0 + time : time;
        if (!double.IsFinite(seconds) || seconds < EarliestTime || seconds > LatestTime) return false;
        at = relative ? now.AddSeconds(time) : DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(time * 1000));
        return true;
    }

    /// <summary>Reads a pack record by record and stops past <see cref="MaxRecords"/>: a huge pack is never held whole.</summary>
    public static async Task<List<SenmlRecord>> ReadAsync(Stream body, CancellationToken ct)
    {
        var pack = new List<SenmlRecord>();
        try
        {
            await foreach (var record in JsonSerializer.DeserializeAsyncEnumerable<SenmlRecord>(body, HueJson.Options, ct))
            {
                if (pack.Count == MaxRecords) throw new HueValidationException("body", $"At most {MaxRecords} records per pack.");
                pack.Add(record!);
            }
            return pack;
        }
        catch (JsonException ex)
        {
            var field = ex.Path?.TrimStart('$') is { Length: > 0 } path ? path.TrimStart('.') : "body";
            throw new HueValidationException(field, Problems.ClientText.Describe(ex));
        }
    }
}
