using System.Text.Json;

namespace HueGrains;

/// <summary>Enum values as clients see them everywhere (JSON, query strings, history entries): "supplement-requested".</summary>
public static class WireNames
{
    public static string Of<T>(T value) where T : struct, Enum => Names<T>.ByValue.TryGetValue(value, out var name) ? name : Convert(value);

    private static string Convert<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>Each defined value's name, converted once (hot paths ask per reading, e.g. a kind's retention).</summary>
    private static class Names<T> where T : struct, Enum
    {
        public static readonly Dictionary<T, string> ByValue = Enum.GetValues<T>().Distinct().ToDictionary(v => v, Convert);
    }

    /// <summary>The value a wire name stands for, or null when it names none.</summary>
    public static T? Parse<T>(string name) where T : struct, Enum =>
        Enum.GetValues<T>().Cast<T?>().FirstOrDefault(v => Of(v!.Value) == name);

    public static IEnumerable<string> All<T>() where T : struct, Enum => Enum.GetValues<T>().Select(Of);
}

/// <summary>Huế local time (UTC+7 all year: Vietnam has no daylight saving time).</summary>
public static class HueLocalTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(7);

    public static DateOnly Date(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(Offset).DateTime);

    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), Offset);

    /// <summary>ISO 8601 to the second with the local offset, as published (Open311, open data).</summary>
    public static string Format(DateTimeOffset at) =>
        at.ToOffset(Offset).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
}
