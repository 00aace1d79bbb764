using System.Buffers;
using System.Text.Json;

namespace HueGrains.Api.Ingest;

/// <summary>
/// Reads a device's JSON readings, one <c>{"at","value"}</c> or a batch <c>{"readings":[…]}</c>, straight from UTF-8:
/// times are parsed in place (ISO 8601, as the serializer parses them), no intermediate strings or request objects.
/// Anything else (a missing or null field, a value sent as a string, a different property casing, a batch past the
/// limit, malformed JSON) is not read here: the caller then deserializes the body as before, which answers each of
/// those with its usual problem, naming the field.
/// </summary>
public static class ReadingsReader
{
    public static bool TryRead(ReadOnlySpan<byte> json, out List<Reading> readings, out bool oneReading)
    {
        var reader = new Utf8JsonReader(json);
        return TryRead(ref reader, out readings, out oneReading);
    }

    public static bool TryRead(in ReadOnlySequence<byte> json, out List<Reading> readings, out bool oneReading)
    {
        var reader = new Utf8JsonReader(json);
        return TryRead(ref reader, out readings, out oneReading);
    }

    private static bool TryRead(ref Utf8JsonReader reader, out List<Reading> readings, out bool oneReading)
    {
        readings = null!;
        oneReading = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            DateTimeOffset? at = null;
            double? value = null;
            List<Reading>? batch = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("at"u8))
                {
                    if (at is not null || !ReadTime(ref reader, out var time)) return false;
                    at = time;
                }
                else if (reader.ValueTextEquals("value"u8))
                {
                    if (value is not null || !ReadNumber(ref reader, out var number)) return false;
                    value = number;
                }
                else if (reader.ValueTextEquals("readings"u8))
                {
                    if (batch is not null || !ReadBatch(ref reader, out batch)) return false;
                }
                else if (!reader.TrySkip())
                {
                    return false;
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) return false; // nothing may follow the object
            if (batch is not null)
            {
                if (at is not null || value is not null) return false;
                readings = batch;
                return true;
            }
            if (at is null || value is null) return false;
            readings = [new Reading(at.Value, value.Value)];
            oneReading = true;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool ReadBatch(ref Utf8JsonReader reader, out List<Reading> batch)
    {
        batch = [];
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            if (batch.Count == IngestLimits.MaxBatch) return false;
            DateTimeOffset? at = null;
            double? value = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("at"u8))
                {
                    if (at is not null || !ReadTime(ref reader, out var time)) return false;
                    at = time;
                }
                else if (reader.ValueTextEquals("value"u8))
                {
                    if (value is not null || !ReadNumber(ref reader, out var number)) return false;
                    value = number;
                }
                else if (!reader.TrySkip())
                {
                    return false;
                }
            }
            if (at is null || value is null) return false;
            batch.Add(new Reading(at.Value, value.Value));
        }
        return reader.TokenType == JsonTokenType.EndArray;
    }

    private static bool ReadTime(ref Utf8JsonReader reader, out DateTimeOffset at)
    {
        at = default;
        return reader.Read() && reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out at);
    }

    private static bool ReadNumber(ref Utf8JsonReader reader, out double value)
    {
        value = 0;
        return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out value);
    }
}
