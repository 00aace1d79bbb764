namespace HueGrains.Grains.Domain;

/// <summary>Validation of provisioning and readings, and the alert rule of each kind.</summary>
public static class SensorRules
{
    /// <summary>Physically plausible values per kind; anything outside is a faulty device, not data.</summary>
    public static (double Min, double Max) PlausibleRange(SensorKind kind) => kind switch
    {
        SensorKind.WaterLevel => (-10, 30),
        SensorKind.Pm25 => (0, 2000),
        SensorKind.Temperature => (-40, 70),
        SensorKind.Rainfall => (0, 500),
        SensorKind.Pm10 => (0, 3000),
        SensorKind.Humidity => (0, 100),
        SensorKind.Noise => (0, 194),
        SensorKind.TrafficCount => (0, 100_000),
        _ => (double.MinValue, double.MaxValue),
    };

    /// <summary>Checks a provisioning request; returns the spec with the canonical unit and thresholds filled in.</summary>
    public static SensorSpec Normalize(SensorSpec spec)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Enum.IsDefined(spec.Kind)) errors["kind"] = ["Unknown sensor kind."];
        var unit = Enum.IsDefined(spec.Kind) ? SensorKinds.CanonicalUnit(spec.Kind, spec.Unit) : null;
        if (unit is null && Enum.IsDefined(spec.Kind))
            errors["unit"] = [$"Unit '{spec.Unit}' does not fit kind {spec.Kind}; expected {spec.Kind.Info().Unit} "
                + $"or one of {string.Join(", ", spec.Kind.Info().Units.Keys)}."];
        if (!Keys.IsCommune(spec.Commune)) errors["commune"] = [$"Unknown commune code '{spec.Commune}'."];
        if (!double.IsFinite(spec.Latitude) || spec.Latitude is < -90 or > 90) errors["latitude"] = ["Latitude must be within -90..90."];
        if (!double.IsFinite(spec.Longitude) || spec.Longitude is < -180 or > 180) errors["longitude"] = ["Longitude must be within -180..180."];
        if (spec.Thresholds is { } t && (t.Length != 3 || t.Any(v => !double.IsFinite(v)) || !(t[0] < t[1] && t[1] < t[2])))
            errors["thresholds"] = ["Thresholds are three finite, strictly increasing values for alert levels 1, 2 and 3."];
        if (spec.Label is { Length: > 200 }) errors["label"] = ["Label is at most 200 characters."];
        if (spec.ExpectedIntervalSeconds is < 10 or > 86_400)
            errors["expectedIntervalSeconds"] = ["The expected reporting interval is 10 s to 1 day."];
        if (errors.Count > 0) throw new HueValidationException(errors);
        // Readings stay in the device's unit on the wire and are converted to the canonical unit on ingest.
        var deviceUnit = spec.Unit.Trim() == unit ? null : spec.Unit.Trim();
        return spec with { Unit = unit!, DeviceUnit = deviceUnit, Thresholds = spec.Thresholds ?? spec.Kind.Info().DefaultThresholds };
    }

    /// <summary>Why a reading cannot be accepted, as (field, reason), or null when it is valid.</summary>
    public static (string Field, string Reason)? Check(SensorKind kind, Reading reading, DateTimeOffset now)
    {
        if (reading.At == default) return ("at", "A timestamp is required.");
        if (reading.At > now + IngestLimits.MaxFutureSkew) return ("at", "Timestamp is more than 5 minutes in the future.");
        if (!double.IsFinite(reading.Value)) return ("value", "Value must be a finite number.");
        var (min, max) = PlausibleRange(kind);
        if (reading.Value < min || reading.Value > max) return ("value", $"Value is outside the plausible range {min}..{max} {kind.Info().Unit}.");
        return null;
    }

    /// <summary>The measure a kind's alert is judged on: the newest reading, or the rain of the last 24 hours.</summary>
    public static double? AlertMeasure(SensorKind kind, Reading? latest, SensorStatistics stats) => kind.Info().Basis switch
    {
        AlertBasis.Sum24h => stats.LastDay.Count > 0 ? stats.LastDay.Sum : null,
        _ => latest?.Value,
    };
}
