using System.Collections.Frozen;
using System.Text.Json;

namespace HueGrains;

/// <summary>The indicators of a commune (scope = its code) or of the city (scope "hue") at one minute.</summary>
[GenerateSerializer, Immutable, Alias("hue.IndicatorSample")]
public sealed record IndicatorSample(
    [property: Id(0)] string Scope,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] Indicators Indicators,
    [property: Id(3)] IReadOnlyList<KindIndicators> Sensors);

/// <summary>One bucket of an indicator's history: the lowest, highest, mean and last value sampled in it.</summary>
[GenerateSerializer, Immutable, Alias("hue.IndicatorPoint")]
public sealed record IndicatorPoint(
    [property: Id(0)] DateTimeOffset Start,
    [property: Id(1)] int Samples,
    [property: Id(2)] double? Min,
    [property: Id(3)] double? Max,
    [property: Id(4)] double? Mean,
    [property: Id(5)] double? Last);

[GenerateSerializer, Immutable, Alias("hue.IndicatorHistory")]
public sealed record IndicatorHistory(
    [property: Id(0)] string Scope,
    [property: Id(1)] string Indicator,
    [property: Id(2)] TimeBucket Bucket,
    [property: Id(3)] DateTimeOffset From,
    [property: Id(4)] DateTimeOffset To,
    [property: Id(5)] IReadOnlyList<IndicatorPoint> Points);

/// <summary>Per scope, kind and hour: sensors counted, the mean of their means and the highest value (open data).</summary>
[GenerateSerializer, Immutable, Alias("hue.KindHour")]
public sealed record KindHour(
    [property: Id(0)] string Scope,
    [property: Id(1)] SensorKind Kind,
    [property: Id(2)] DateTimeOffset Hour,
    [property: Id(3)] int Sensors,
    [property: Id(4)] double? Mean,
    [property: Id(5)] double? Max);

/// <summary>The numeric indicators by their JSON names ("overdueCases"), for history queries.</summary>
public static class IndicatorNames
{
    private static readonly FrozenDictionary<string, Func<Indicators, double?>> Readers = typeof(Indicators).GetProperties()
        .Where(p => p.PropertyType == typeof(int) || p.PropertyType == typeof(double?))
        .ToFrozenDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), p => (Func<Indicators, double?>)(i => p.GetValue(i) switch
        {
            int n => n,
            double d => d,
            _ => null,
        }));

    public static IEnumerable<string> All => Readers.Keys.Order(StringComparer.Ordinal);

    public static bool IsKnown(string? name) => name is not null && Readers.ContainsKey(name);

    public static double? Value(Indicators indicators, string name) => Readers[name](indicators);
}
