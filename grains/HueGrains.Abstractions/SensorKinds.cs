using System.Collections.Frozen;

namespace HueGrains;

/// <summary>Kinds of sensor. The numbers are stored in the reading history: never renumber, only add.</summary>
public enum SensorKind { WaterLevel = 0, Pm25 = 1, Temperature = 2, Rainfall = 3 }

/// <summary>What an alert level of a kind is measured against.</summary>
public enum AlertBasis
{
    /// <summary>The newest reading (a river gauge, a thermometer).</summary>
    Latest,
    /// <summary>The sum over the last 24 hours (a rain gauge reports the rain of its interval).</summary>
    Sum24h,
}

/// <summary>Facts about one kind of sensor: its canonical unit, accepted spellings and default alert thresholds.</summary>
public sealed record SensorKindInfo(
    SensorKind Kind,
    string Unit,
    IReadOnlyList<string> UnitSpellings,
    double[] DefaultThresholds,
    AlertBasis Basis);

public static class SensorKinds
{
    /// <summary>
    /// Default thresholds for alert levels 1–3:
    /// water level: flood warning levels BĐ1–BĐ3 of the Hương river at the Kim Long gauge (1.0 / 2.0 / 3.5 m);
    /// PM2.5: the concentrations where VN_AQI turns poor, bad and very bad (50 / 80 / 150 µg/m³, Decision 1459/QĐ-TCMT);
    /// temperature: heat-wave grades of the national weather service (35 / 37 / 39 °C);
    /// rainfall: heavy, very heavy and extreme rain over 24 hours (50 / 100 / 200 mm).
    /// </summary>
    public static readonly FrozenDictionary<SensorKind, SensorKindInfo> All = new SensorKindInfo[]
    {
        new(SensorKind.WaterLevel, "m", ["m"], [1.0, 2.0, 3.5], AlertBasis.Latest),
        new(SensorKind.Pm25, "µg/m³", ["µg/m³", "ug/m3", "µg/m3", "ug/m³"], [50, 80, 150], AlertBasis.Latest),
        new(SensorKind.Temperature, "°C", ["°C", "Cel", "C", "degC"], [35, 37, 39], AlertBasis.Latest),
        new(SensorKind.Rainfall, "mm", ["mm"], [50, 100, 200], AlertBasis.Sum24h),
    }.ToFrozenDictionary(k => k.Kind);

    public static SensorKindInfo Info(this SensorKind kind) => All[kind];

    /// <summary>The canonical unit for a spelling the kind accepts, or null when the unit does not fit the kind.</summary>
    public static string? CanonicalUnit(SensorKind kind, string? unit) =>
        unit is null ? null : All[kind].UnitSpellings.Contains(unit.Trim(), StringComparer.Ordinal) ? All[kind].Unit : null;
}
