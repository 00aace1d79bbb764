using System.Globalization;
using System.Text.Json;

namespace HueGrains.Api.Open311;

/// <summary>The fields of a GeoReport POST: a form (the standard) or a flat JSON object (welcome too).</summary>
public sealed class Open311Fields(IReadOnlyDictionary<string, string> values)
{
    public static async Task<Open311Fields> ReadAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            try
            {
                var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
                return new(form.ToDictionary(f => f.Key, f => f.Value.ToString()));
            }
            catch (InvalidDataException)
            {
                throw new HueValidationException("body", "The form is malformed.");
            }
        }
        try
        {
            using var json = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            if (json.RootElement.ValueKind != JsonValueKind.Object) throw new HueValidationException("body", "Send a form or a JSON object.");
            var fields = new Dictionary<string, string>();
            foreach (var p in json.RootElement.EnumerateObject()) // a repeated name: the last one counts, as everywhere else
                fields[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            return new(fields);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException) // malformed, or a lone surrogate in a string
        {
            throw new HueValidationException("body", "Send application/x-www-form-urlencoded fields or a JSON object.");
        }
    }

    public string? Get(string name) => values.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    public double? Number(string name)
    {
        if (Get(name) is not { } text) return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new HueValidationException(name, $"{name} is a decimal number.");
    }
}
