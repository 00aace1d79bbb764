namespace HueGrains;

/// <summary>
/// Per-item errors as an answer reports them: at most <see cref="MaxShown"/> fields, then one entry saying how many more
/// were dropped, so a large bad request never earns a larger answer.
/// </summary>
public static class ErrorList
{
    public const int MaxShown = 20;

    /// <summary>The field that counts the errors not shown.</summary>
    public const string MoreField = "more";

    public static Dictionary<string, string[]> Capped(IEnumerable<(string Field, string Error)> errors)
    {
        var shown = new Dictionary<string, List<string>>();
        var dropped = 0;
        foreach (var (field, error) in errors)
        {
            if (shown.TryGetValue(field, out var list)) list.Add(error);
            else if (shown.Count < MaxShown) shown[field] = [error];
            else dropped++;
        }
        var capped = shown.ToDictionary(e => e.Key, e => e.Value.ToArray());
        if (dropped > 0) capped[MoreField] = [$"{dropped} more errors not shown."];
        return capped;
    }

    public static HueValidationException Exception(IEnumerable<(string Field, string Error)> errors) => new(Capped(errors));
}
