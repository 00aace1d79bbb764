using System.Collections.ObjectModel;

namespace HueGrains.Grains.Domain;

/// <summary>
/// The alert lifecycle of one sensor: raised → acknowledged → cleared, one active alert per rule, with hysteresis so that
/// a value wavering around a threshold does not raise and clear again and again. History is bounded.
/// </summary>
[GenerateSerializer, Alias("hue.AlertBook")]
public sealed class AlertBook
{
    public const int HistoryCapacity = 50;

    /// <summary>The daily PM2.5 limit (µg/m³) of the <see cref="AlertRuleNames.Pm25Daily"/> rule.</summary>
    public const double Pm25DailyLimit = 50;

    // Most sensors have no alert, now or in their history: a book holds a collection only once it has an entry.
    [NonSerialized] private Dictionary<string, SensorAlert>? _active;
    [NonSerialized] private List<SensorAlert>? _history;

    [Id(0)]
    public IReadOnlyDictionary<string, SensorAlert> Active
    {
        get => (IReadOnlyDictionary<string, SensorAlert>?)_active ?? ReadOnlyDictionary<string, SensorAlert>.Empty;
        set => _active = value is { Count: > 0 } ? new Dictionary<string, SensorAlert>(value) : null;
    }

    [Id(1)]
    public IReadOnlyList<SensorAlert> History
    {
        get => _history ?? (IReadOnlyList<SensorAlert>)[];
        set => _history = value is { Count: > 0 } ? [.. value] : null;
    }

    public int HighestLevel
    {
        get
        {
            var highest = 0;
            if (_active is null) return highest;
            foreach (var alert in _active.Values) highest = Math.Max(highest, alert.Level);
            return highest;
        }
    }

    /// <summary>The active alerts by rule name: a stable order (storage does not keep the dictionary's); shared and empty when none is.</summary>
    public IReadOnlyList<SensorAlert> ActiveByRule() => _active is null ? [] : [.. _active.Values.OrderBy(a => a.Rule, StringComparer.Ordinal)];

    /// <summary>
    /// The next level of a rule: up at once when a threshold is reached; down only when the measure has fallen below
    /// the lower threshold by more than <paramref name="hysteresis"/>.
    /// </summary>
    public static int NextLevel(int current, double measure, double[] thresholds, double hysteresis)
    {
        var reached = thresholds.Count(t => measure >= t);
        if (reached >= current) return reached;
        var level = current;
        while (level > 0 && measure < thresholds[level - 1] - hysteresis) level--;
        return level;
    }

    /// <summary>Evaluates every rule of the sensor; returns whether an alert was raised, changed level or cleared.</summary>
    public bool Evaluate(SensorSpec spec, Reading? latest, SensorStatistics stats, DateTimeOffset now)
    {
        var changed = false;
        var hysteresis = spec.Kind.Info().Hysteresis;
        if (spec.Thresholds is { Length: > 0 } thresholds && SensorRules.AlertMeasure(spec.Kind, latest, stats) is { } measure)
            changed |= Apply(AlertRuleNames.Threshold, NextLevel(LevelOf(AlertRuleNames.Threshold), measure, thresholds, hysteresis), measure, now);
        if (spec.Kind == SensorKind.Pm25 && stats.LastDay.Mean is { } mean)
            changed |= Apply(AlertRuleNames.Pm25Daily, NextLevel(LevelOf(AlertRuleNames.Pm25Daily), mean, [Pm25DailyLimit], hysteresis), mean, now);
        return changed;
    }

    public SensorAlert Acknowledge(string rule, string actorRole, DateTimeOffset now)
    {
        if (!Active.TryGetValue(rule, out var alert)) throw new HueNotFoundException($"No active alert under rule '{rule}'.");
        return _active![rule] = alert with { AcknowledgedAt = alert.AcknowledgedAt ?? now, AcknowledgedBy = alert.AcknowledgedBy ?? actorRole };
    }

    private int LevelOf(string rule) => Active.TryGetValue(rule, out var alert) ? alert.Level : 0;

    private bool Apply(string rule, int level, double value, DateTimeOffset now)
    {
        var held = Active.GetValueOrDefault(rule);
        switch (held, level)
        {
            case (null, 0):
                return false;
            case (null, _):
                (_active ??= [])[rule] = new SensorAlert(rule, level, value, now, now);
                return true;
            case (_, 0):
                _active!.Remove(rule);
                if (_active.Count == 0) _active = null;
                (_history ??= []).Add(held with { Value = value, UpdatedAt = now, ClearedAt = now });
                if (_history.Count > HistoryCapacity) _history.RemoveAt(0);
                return true;
            default:
                // Same alert, updated. A rise asks for a new acknowledgement; the value alone is not a lifecycle change.
                _active![rule] = held with
                {
                    Level = level,
                    Value = value,
                    UpdatedAt = now,
                    AcknowledgedAt = level > held.Level ? null : held.AcknowledgedAt,
                    AcknowledgedBy = level > held.Level ? null : held.AcknowledgedBy,
                };
                return level != held.Level;
        }
    }
}
