using System.Text;
using System.Text.Json;

namespace HueGrains.Api.Ingest;

/// <summary>
/// Reads a device's SenML pack (RFC 8428, JSON) straight from UTF-8 for the device lane: every reading must be of the
/// device's own sensor and in one unit, so the pack is one grain call. Names are compared as bytes, times and values
/// read in place; no record objects or strings but the unit. It resolves exactly as <see cref="Senml.Resolve"/> does.
/// Anything else (another sensor's or an unnamed reading, mixed units, a record that is not a plain reading or base
/// fields, escaped or unknown fields, a bad time or value, too many records) is not read here: the full pipeline then
/// reads the pack as before and answers it with its usual result or problem.
/// </summary>
public static class SenmlReader
{
    /// <summary>The pack's readings of <paramref name="sensor"/>, with their record indices and the unit they were sent in.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, string sensor, DateTimeOffset now,
        out List<Reading> readings, out List<int> indices, out string? unit)
    {
        readings = [];
        indices = [];
        unit = null;
        Span<byte> own = stackalloc byte[256];
        if (sensor.Length > own.Length || !Encoding.UTF8.TryGetBytes(sensor, own, out var ownLength)) return false;
        own = own[..ownLength];
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) return false;
            ReadOnlySpan<byte> baseName = default, baseUnit = default;
            bool hasBaseName = false, hasBaseUnit = false, unitKnown = false;
            ReadOnlySpan<byte> packUnit = default;
            double baseTime = 0, baseValue = 0;
            for (var index = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; index++)
            {
                if (index == Senml.MaxRecords || reader.TokenType != JsonTokenType.StartObject) return false;
                ReadOnlySpan<byte> name = default, recordUnit = default;
                bool hasName = false, hasUnit = false;
                double? value = null, sum = null, time = null, recordBaseValue = null;
                var seen = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var field = Field(ref reader);
                    if (field < 0 || (seen & (1 << field)) != 0 || !reader.Read()) return false; // unknown or repeated
                    seen |= 1 << field;
                    switch (field)
                    {
                        case 0: if (!IsPlainText(reader)) return false; baseName = reader.ValueSpan; hasBaseName = true; break;
                        case 1: if (!Number(ref reader, out baseTime)) return false; break;
                        case 2: if (!IsPlainText(reader)) return false; baseUnit = reader.ValueSpan; hasBaseUnit = true; break;
                        case 3: if (!Number(ref reader, out var bv)) return false; baseValue = bv; recordBaseValue = bv; break;
                        case 4: if (!IsPlainText(reader)) return false; name = reader.ValueSpan; hasName = true; break;
                        case 5: if (!IsPlainText(reader)) return false; recordUnit = reader.ValueSpan; hasUnit = true; break;
                        case 6: if (!Number(ref reader, out var v)) return false; value = v; break;
                        case 7: if (!Number(ref reader, out var t)) return false; time = t; break;
                        default: if (!Number(ref reader, out var s)) return false; sum = s; break;
                    }
                }
                if (reader.TokenType != JsonTokenType.EndObject) return false;
                if (value is null && sum is null && recordBaseValue is null)
                {
                    if (hasName) return false; // a named record without a value: the full path names the error
                    continue;                  // only base fields
                }
                // The device: the base name less its measurement separator, else the record's name (as Senml.Resolve).
                var device = hasBaseName && baseName.Length > 0 ? baseName.TrimEnd(":/"u8) : hasName ? name : default;
                if (!device.SequenceEqual(own)) return false; // another sensor's, or a name the full path trims first

                var reading = baseValue + (value ?? sum ?? 0);
                var seconds = baseTime + (time ?? 0);
                if (!double.IsFinite(reading) || !Senml.TryTime(seconds, now, out var at)) return false;
                if (readings.Count == IngestLimits.MaxBatch) return false;

                var readingUnit = hasUnit ? recordUnit : hasBaseUnit ? baseUnit : default;
                var stated = hasUnit || hasBaseUnit;
                if (!unitKnown)
                {
                    unitKnown = true;
                    packUnit = readingUnit;
                    unit = stated ? Encoding.UTF8.GetString(readingUnit) : null;
                }
                else if ((unit is not null) != stated || !readingUnit.SequenceEqual(packUnit))
                {
                    return false; // two units: two grain calls, the full path's
                }
                readings.Add(new Reading(at, reading));
                indices.Add(index);
            }
            return reader.TokenType == JsonTokenType.EndArray && !reader.Read() && readings.Count > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static int Field(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? -1
        : reader.ValueTextEquals("bn"u8) ? 0 : reader.ValueTextEquals("bt"u8) ? 1 : reader.ValueTextEquals("bu"u8) ? 2
        : reader.ValueTextEquals("bv"u8) ? 3 : reader.ValueTextEquals("n"u8) ? 4 : reader.ValueTextEquals("u"u8) ? 5
        : reader.ValueTextEquals("v"u8) ? 6 : reader.ValueTextEquals("t"u8) ? 7 : reader.ValueTextEquals("s"u8) ? 8 : -1;

    /// <summary>A string whose bytes are its text (no escapes), so it compares as it is.</summary>
    private static bool IsPlainText(in Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence;

    private static bool Number(ref Utf8JsonReader reader, out double number)
    {
        number = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out number);
    }
}
