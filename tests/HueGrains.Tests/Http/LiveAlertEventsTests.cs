using HueGrains.Api.Live;

namespace HueGrains.Tests.Http;

/// <summary>How an alert change of the feed (the sensor row with its alert level) becomes the dashboard's alert events.</summary>
public class LiveAlertEventsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 10, 20, 3, 0, 0, TimeSpan.Zero);

    private static SensorRow Sensor(SensorKind kind, int level, params SensorAlert[] alerts) =>
        new("g-1", 4, "19774", kind, level, T0, 16.46, 107.57,
            new SensorSnapshot("g-1", 4, kind, new Reading(T0, 3.9), level, null, alerts, TimeSpan.FromMinutes(5), T0.AddDays(-1)));

    [Fact]
    public void A_new_alert_is_raised_a_changed_one_updated_and_level_0_clears_every_rule_of_the_kind()
    {
        var raised = Assert.Single(LiveDiff.AlertsOf(Sensor(SensorKind.WaterLevel, 3, new SensorAlert("threshold", 3, 3.9, T0, T0)), T0));
        Assert.Equal(("raised", "g-1", "19774", 3, "threshold"), (raised.Change, raised.Alert.SensorId, raised.Alert.Commune, raised.Alert.Level, raised.Alert.Rule));

        var later = T0.AddMinutes(1);
        var updated = Assert.Single(LiveDiff.AlertsOf(Sensor(SensorKind.WaterLevel, 2, new SensorAlert("threshold", 2, 2.1, T0, later)), later));
        Assert.Equal(("updated", 2, T0), (updated.Change, updated.Alert.Level, updated.Alert.RaisedAt));

        var cleared = Assert.Single(LiveDiff.AlertsOf(Sensor(SensorKind.WaterLevel, 0), later));
        Assert.Equal(("cleared", "threshold", AlertStatus.Cleared), (cleared.Change, cleared.Alert.Rule, cleared.Alert.Status));
        Assert.Equal(["threshold", "pm25-24h"], LiveDiff.AlertsOf(Sensor(SensorKind.Pm25, 0), later).Select(a => a.Alert.Rule));
    }
}
