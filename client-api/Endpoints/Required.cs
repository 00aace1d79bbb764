namespace HueGrains.Api.Endpoints;

/// <summary>Presence checks at the edge; the owning grain checks the values themselves.</summary>
public static class Required
{
    /// <summary>Throws one validation problem that names every missing (null or blank) field.</summary>
    public static void Fields(params (object? Value, string Field, string Message)[] fields)
    {
        var missing = fields
            .Where(f => f.Value is null || f.Value is string text && string.IsNullOrWhiteSpace(text))
            .ToDictionary(f => f.Field, f => new[] { f.Message });
        if (missing.Count > 0) throw new HueValidationException(missing);
    }
}

/// <summary>Enum values in query strings, spelled as in JSON bodies ("supplement-requested").</summary>
public static class QueryEnum
{
    public static T? Parse<T>(string? value, string field) where T : struct, Enum =>
        value is null ? null
        : WireNames.Parse<T>(value) ?? throw new HueValidationException(field, $"'{value}' is not one of: {string.Join(", ", WireNames.All<T>())}.");

    /// <summary>A history resolution: raw, 1m, 1h or 1d (null when not given).</summary>
    public static TimeBucket? Bucket(string? bucket) => bucket switch
    {
        null => null,
        "raw" => TimeBucket.Raw,
        "1m" => TimeBucket.Minute,
        "1h" => TimeBucket.Hour,
        "1d" => TimeBucket.Day,
        _ => throw new HueValidationException("bucket", "Bucket is raw, 1m, 1h or 1d."),
    };
}
