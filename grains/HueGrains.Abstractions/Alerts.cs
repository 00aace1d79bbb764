namespace HueGrains;

public enum AlertStatus { Raised, Acknowledged, Cleared }

/// <summary>
/// An alert of one sensor under one rule. At most one is active per sensor and rule: a new reading updates it (level,
/// value) rather than raising another; it is acknowledged by an official or operator, and cleared by the readings.
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.SensorAlert")]
public sealed record SensorAlert(
    [property: Id(0)] string Rule,
    [property: Id(1)] int Level,
    [property: Id(2)] double Value,
    [property: Id(3)] DateTimeOffset RaisedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] DateTimeOffset? AcknowledgedAt = null,
    [property: Id(6)] string? AcknowledgedBy = null,
    [property: Id(7)] DateTimeOffset? ClearedAt = null)
{
    public AlertStatus Status => ClearedAt is not null ? AlertStatus.Cleared
        : AcknowledgedAt is not null ? AlertStatus.Acknowledged : AlertStatus.Raised;
}

/// <summary>A sensor's alerts: the active ones and the most recent finished ones.</summary>
[GenerateSerializer, Immutable, Alias("hue.SensorAlerts")]
public sealed record SensorAlerts(
    [property: Id(0)] string SensorId,
    [property: Id(1)] IReadOnlyList<SensorAlert> Active,
    [property: Id(2)] IReadOnlyList<SensorAlert> History);

public static class AlertRuleNames
{
    /// <summary>The kind's thresholds (flood BĐ1–BĐ3, VN_AQI bands of PM2.5, heat, 24-hour rain, noise…).</summary>
    public const string Threshold = "threshold";

    /// <summary>PM2.5 24-hour mean over 50 µg/m³ (QCVN 05 daily limit).</summary>
    public const string Pm25Daily = "pm25-24h";
}

/// <summary>What changed about an alert, as published on a commune's alert stream and MQTT topic hue/alerts/{commune}.</summary>
[GenerateSerializer, Immutable, Alias("hue.AlertNotice")]
public sealed record AlertNotice(
    [property: Id(0)] ActiveAlert Alert,
    [property: Id(1)] AlertStatus Status,
    [property: Id(2)] DateTimeOffset At);

/// <summary>What changed between two lists of active alerts (one per sensor and rule): new, changed level or status, gone.</summary>
public static class AlertChanges
{
    /// <summary>Each alert that is new or changed (<c>Was</c> null when new), then each that is gone (<c>Cleared</c>).</summary>
    public static IEnumerable<(ActiveAlert Alert, ActiveAlert? Was, bool Cleared)> Between(IEnumerable<ActiveAlert> before, IEnumerable<ActiveAlert> now)
    {
        var old = before.ToDictionary(a => (a.SensorId, a.Rule));
        var current = now.ToDictionary(a => (a.SensorId, a.Rule));
        foreach (var (key, alert) in current)
        {
            var was = old.GetValueOrDefault(key);
            if (was is null || was.Level != alert.Level || was.Status != alert.Status) yield return (alert, was, false);
        }
        foreach (var (key, alert) in old)
        {
            if (!current.ContainsKey(key)) yield return (alert, alert, true);
        }
    }
}
