using System.Text.Json;
using System.Text.Json.Serialization;

namespace HueGrains.Api.Ingest;

/// <summary>
/// Reads a JSON array of readings and stops at the batch limit (<see cref="IngestLimits.MaxBatch"/>): a body of a
/// million empty objects is refused at item 1,001, not parsed whole and answered item by item.
/// </summary>
public sealed class BatchConverter<T> : JsonConverter<List<T>>
{
    public override List<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("A batch is a JSON array.");
        var items = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (items.Count == IngestLimits.MaxBatch) throw new HueValidationException("readings", $"At most {IngestLimits.MaxBatch} readings per request.");
            items.Add(JsonSerializer.Deserialize<T>(ref reader, options)!);
        }
        return items;
    }

    public override void Write(Utf8JsonWriter writer, List<T> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, options);
}
