using System.Text.Json;

namespace HueGrains.Api.Ingest;

/// <summary>
/// An <see cref="IngestResult"/> in the API's JSON (camelCase, kebab-case enums, nulls written), without the
/// serializer's per-call work: the device lane's answer. A test holds it equal to the serializer's output.
/// </summary>
public static class IngestAnswer
{
    public static void Write(Utf8JsonWriter json, IngestResult result) => Write(json, null, result);

    /// <summary>A SenML pack of one sensor's readings, as the readings endpoint's <c>BatchIngestResult</c> (each with its sensor).</summary>
    public static void WriteBatch(Utf8JsonWriter json, string sensor, IngestResult result) => Write(json, sensor, result);

    private static void Write(Utf8JsonWriter json, string? sensor, IngestResult result)
    {
        json.WriteStartObject();
        json.WriteNumber("accepted"u8, result.Accepted);
        json.WriteNumber("duplicates"u8, result.Duplicates);
        json.WriteNumber("rejected"u8, result.Rejected);
        json.WriteStartArray("results"u8);
        foreach (var outcome in result.Results)
        {
            json.WriteStartObject();
            if (sensor is not null) json.WriteString("sensor"u8, sensor);
            json.WriteString("at"u8, outcome.At);
            json.WriteString("status"u8, outcome.Status switch
            {
                ReadingStatus.Accepted => "accepted"u8,
                ReadingStatus.Duplicate => "duplicate"u8,
                _ => "rejected"u8,
            });
            if (outcome.Field is null) json.WriteNull("field"u8);
            else json.WriteString("field"u8, outcome.Field);
            if (outcome.Reason is null) json.WriteNull("reason"u8);
            else json.WriteString("reason"u8, outcome.Reason);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
