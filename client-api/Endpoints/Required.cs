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
