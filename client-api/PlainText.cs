using System.Globalization;

namespace HueGrains.Api;

/// <summary>A value as published in CSV cells and XML elements: invariant numbers, local ISO times, lower-case booleans.</summary>
public static class PlainText
{
    public static string Of(object? value) => value switch
    {
        null => "",
        DateTimeOffset t => HueLocalTime.Format(t),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
