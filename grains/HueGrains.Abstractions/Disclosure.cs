using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HueGrains;

/// <summary>
/// The one rule for counts about people (dossiers and reports) on every public surface: the commune and city views,
/// their history, the live feed and open data, for callers who are not staff.
/// <list type="bullet">
/// <item>a count of 0 is shown; 1 to 4 is withheld (null); 5 or more is rounded to the nearest multiple of 5;</item>
/// <item>a rate or median resting on fewer than 5 items, or a rate whose part or remainder is 1–4, is withheld; otherwise
/// a rate is rounded to 0.05 and a median to the hour.</item>
/// </list>
/// Rounding every published count is what keeps totals safe beside their parts: a city total minus the published
/// communes leaves an interval several values wide, never a withheld commune's exact count (complementary suppression
/// by rounding, as statistics offices publish small-area tables).
/// </summary>
public static class Disclosure
{
    public const int Threshold = 5;

    private static readonly FrozenSet<string> Counts = new[]
    {
        "casesReceived", "openCases", "overdueCases", "casesProcessing", "resolvedCases", "completedOnTime", "resolvedCases90d",
        "completedOnTime90d", "openFeedback", "overdueFeedback", "resolvedFeedback", "ratedFeedback", "satisfiedFeedback",
        "ratedFeedback90d", "satisfiedFeedback90d",
    }.ToFrozenSet();

    /// <summary>Each rate or median about people: the count it rests on, and the part of it the rate counts (if any).</summary>
    private static readonly FrozenDictionary<string, Func<Indicators, (int Basis, int? Part)>> Rates = new Dictionary<string, Func<Indicators, (int, int?)>>
    {
        ["onTimeRate"] = i => (i.ResolvedCases, i.CompletedOnTime),
        ["onTimeRate90d"] = i => (i.ResolvedCases90d, i.CompletedOnTime90d),
        ["satisfactionRate"] = i => (i.RatedFeedback, i.SatisfiedFeedback),
        ["satisfactionRate90d"] = i => (i.RatedFeedback90d, i.SatisfiedFeedback90d),
        ["medianHoursToResolve"] = i => (i.ResolvedFeedback, null),
    }.ToFrozenDictionary();

    public static bool IsAboutPeople(string indicator) => Counts.Contains(indicator) || Rates.ContainsKey(indicator);

    /// <summary>A count about people as published.</summary>
    public static int? Count(int count) => count switch
    {
        0 => 0,
        < Threshold => null,
        _ => (count + 2) / 5 * 5,
    };

    /// <summary>An indicator (by its JSON name) as published; indicators not about people are shown as they are.</summary>
    public static double? Value(Indicators indicators, string name)
    {
        var exact = IndicatorNames.Value(indicators, name);
        if (Counts.Contains(name)) return Count((int)exact!.Value);
        if (!Rates.TryGetValue(name, out var of)) return exact;
        var (basis, part) = of(indicators);
        // A rate would give away a withheld count: its part, or the rest of its basis, being 1–4 (4 of 5 on time: "1 late").
        if (exact is null || basis < Threshold || part is { } p && (Count(p) is null || Count(basis - p) is null)) return null;
        return name == "medianHoursToResolve" ? Math.Round(exact.Value) : Math.Round(exact.Value * 20, MidpointRounding.AwayFromZero) / 20;
    }

    /// <summary>
    /// The city's own figure beside its communes' (the complementary step): a count is withheld as well when, from it and
    /// the published communes, one could work out a withheld commune's exact count.
    /// </summary>
    public static double? CityValue(Indicators city, IReadOnlyList<Indicators> communes, string name)
    {
        var published = Value(city, name);
        if (published is null || !Counts.Contains(name)) return published;
        var total = (int)IndicatorNames.Value(city, name)!.Value;
        return PinsAPart(total, [.. communes.Select(c => (int)IndicatorNames.Value(c, name)!.Value)]) ? null : published;
    }

    /// <summary>Whether a published total and published parts leave a withheld part with a single possible value.</summary>
    private static bool PinsAPart(int total, IReadOnlyList<int> parts)
    {
        var (totalLow, totalHigh) = Interval(total);
        var intervals = parts.Select(Interval).ToList();
        var (lows, highs) = (intervals.Sum(i => i.Low), intervals.Sum(i => i.High));
        for (var i = 0; i < parts.Count; i++)
        {
            if (Count(parts[i]) is not null) continue;
            var high = Math.Min(Threshold - 1, totalHigh - (lows - intervals[i].Low));
            var low = Math.Max(1, totalLow - (highs - intervals[i].High));
            if (high <= low) return true;
        }
        return false;
    }

    /// <summary>The exact counts a published count may stand for.</summary>
    private static (int Low, int High) Interval(int exact) => Count(exact) switch
    {
        0 => (0, 0),
        null => (1, Threshold - 1),
        var v => (Math.Max(Threshold, v.Value - 2), v.Value + 2),
    };

    /// <summary>Rewrites the city's own <c>indicators</c> object with <see cref="CityValue"/>.</summary>
    public static void ApplyCity(JsonObject? indicators, CityView city)
    {
        if (indicators is null) return;
        var parts = city.Communes.Select(c => c.Indicators).ToList();
        foreach (var field in indicators.Select(f => f.Key).Where(IsAboutPeople).ToList())
            indicators[field] = CityValue(city.Indicators, parts, field) is { } v ? JsonValue.Create(v) : null;
    }

    /// <summary>Rewrites every <c>indicators</c> object in a serialized answer (a view, a list, a live event) as published.</summary>
    public static JsonNode? Apply(JsonNode? node, JsonSerializerOptions options)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (name == "indicators" && child is JsonObject fields && fields.Deserialize<Indicators>(options) is { } indicators)
                    {
                        foreach (var field in fields.Select(f => f.Key).Where(IsAboutPeople).ToList())
                            fields[field] = Value(indicators, field) is { } v ? JsonValue.Create(v) : null;
                    }
                    else Apply(child, options);
                }
                break;
            case JsonArray array:
                foreach (var item in array) Apply(item, options);
                break;
        }
        return node;
    }
}
