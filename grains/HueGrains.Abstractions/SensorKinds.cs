using System.Collections.Frozen;

namespace HueGrains;

/// <summary>Kinds of sensor. The numbers are stored in the reading history: never renumber, only add.</summary>
public enum SensorKind { WaterLevel = 0, Pm25 = 1, Temperature = 2, Rainfall = 3, Pm10 = 4, Humidity = 5, Noise = 6, TrafficCount = 7 }

/// <summary>What an alert level of a kind is measured against.</summary>
public enum AlertBasis
{
    /// <summary>The newest reading (a river gauge, a thermometer).</summary>
    Latest,
    /// <summary>The sum over the last 24 hours (a rain gauge reports the rain of its interval).</summary>
    Sum24h,
}

/// <summary>
/// Facts about one kind of sensor: its canonical unit, the unit spellings it accepts with their linear conversion to the
/// canonical unit (canonical = value × Scale + Offset), and its default alert thresholds (none for some kinds).
/// </summary>
public sealed record SensorKindInfo(
    SensorKind Kind,
    string Unit,
    IReadOnlyDictionary<string, (double Scale, double Offset)> Units,
    double[] DefaultThresholds,
    double Hysteresis,
    AlertBasis Basis = AlertBasis.Latest,
    int ExpectedIntervalSeconds = 300);

public static class SensorKinds
{
    private static readonly (double, double) Same = (1, 0);

    /// <summary>
    /// Default thresholds for alert levels 1–3:
    /// water level: flood warning levels BĐ1–BĐ3 of the Hương river at the Kim Long gauge (1.0 / 2.0 / 3.5 m);
    /// PM2.5: the concentrations where VN_AQI turns poor, bad and very bad (50 / 80 / 150 µg/m³, Decision 1459/QĐ-TCMT);
    /// PM10: the 24-hour limit of QCVN 05 and the VN_AQI bad / very bad breakpoints (150 / 250 / 350 µg/m³);
    /// temperature: heat-wave grades of the national weather service (35 / 37 / 39 °C);
    /// rainfall: heavy, very heavy and extreme rain over 24 hours (50 / 100 / 200 mm);
    /// noise: the 70 dBA daytime limit of QCVN 26:2010 for ordinary areas, then +10 and +20 dBA.
    /// Humidity and traffic counts raise no alert unless an operator sets thresholds.
    /// Hysteresis: an alert goes down a level only when the measure falls this far below that level's threshold.
    /// </summary>
    public static readonly FrozenDictionary<SensorKind, SensorKindInfo> All = new SensorKindInfo[]
    {
        new(SensorKind.WaterLevel, "m", Units(("m", Same), ("cm", (0.01, 0)), ("mm", (0.001, 0))), [1.0, 2.0, 3.5], 0.05),
        new(SensorKind.Pm25, "µg/m³", MassConcentration(), [50, 80, 150], 5),
        new(SensorKind.Pm10, "µg/m³", MassConcentration(), [150, 250, 350], 10),
        new(SensorKind.Temperature, "°C", Units(("°C", Same), ("Cel", Same), ("C", Same), ("degC", Same),
            ("°F", (5.0 / 9, -32 * 5.0 / 9)), ("degF", (5.0 / 9, -32 * 5.0 / 9)), ("F", (5.0 / 9, -32 * 5.0 / 9)), ("K", (1, -273.15))), [35, 37, 39], 0.5),
        new(SensorKind.Rainfall, "mm", Units(("mm", Same), ("cm", (10, 0))), [50, 100, 200], 5, AlertBasis.Sum24h, 600),
        new(SensorKind.Humidity, "%", Units(("%", Same), ("%RH", Same)), [], 2),
        new(SensorKind.Noise, "dBA", Units(("dBA", Same), ("dB(A)", Same), ("dB", Same)), [70, 80, 90], 2),
        new(SensorKind.TrafficCount, "vehicles", Units(("vehicles", Same), ("count", Same), ("1", Same), ("/", Same)), [], 0, ExpectedIntervalSeconds: 900),
    }.ToFrozenDictionary(k => k.Kind);

    public static SensorKindInfo Info(this SensorKind kind) => All[kind];

    /// <summary>The canonical unit for a spelling the kind accepts, or null when the unit does not fit the kind.</summary>
    public static string? CanonicalUnit(SensorKind kind, string? unit) =>
        unit is not null && All[kind].Units.ContainsKey(unit.Trim()) ? All[kind].Unit : null;

    /// <summary>A value in <paramref name="unit"/> converted to the kind's canonical unit; null when the unit does not fit.</summary>
    public static double? ToCanonical(SensorKind kind, string unit, double value) =>
        All[kind].Units.TryGetValue(unit.Trim(), out var c) ? value * c.Scale + c.Offset : null;

    private static FrozenDictionary<string, (double Scale, double Offset)> MassConcentration() =>
        Units(("µg/m³", Same), ("ug/m3", Same), ("µg/m3", Same), ("ug/m³", Same), ("mg/m3", (1000, 0)), ("mg/m³", (1000, 0)));

    private static FrozenDictionary<string, (double Scale, double Offset)> Units(params (string Spelling, (double, double) Conversion)[] units) =>
        units.ToFrozenDictionary(u => u.Spelling, u => u.Conversion, StringComparer.Ordinal);
}
