using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using HueGrains.Grains.Domain;

namespace HueGrains.Tests.Domain;

public class AlertBookTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
    private static readonly SensorSpec Gauge = SensorRules.Normalize(new SensorSpec(SensorKind.WaterLevel, "m", "19774", 16.46, 107.55));

    private static SensorStatistics Stats(double value) =>
        new(new WindowStats(1, value, value, value, value), new WindowStats(1, value, value, value, value), new WindowStats(1, value, value, value, value));

    private static bool Feed(AlertBook book, double metres, int minute) =>
        book.Evaluate(Gauge, new Reading(Now.AddMinutes(minute), metres), Stats(metres), Now.AddMinutes(minute));

    [Fact]
    public void An_alert_rises_at_once_and_falls_only_past_the_hysteresis_then_clears_into_history()
    {
        var book = new AlertBook();
        Assert.True(Feed(book, 2.05, 0));                  // BĐ2 crossed: raised at level 2
        Assert.False(Feed(book, 1.97, 1));                 // below BĐ2 but within 5 cm: still level 2
        Assert.Equal(2, book.Active[AlertRuleNames.Threshold].Level);
        Assert.Equal(1.97, book.Active[AlertRuleNames.Threshold].Value);
        Assert.True(Feed(book, 1.94, 2));                  // clearly below: level 1
        Assert.False(Feed(book, 0.97, 3));                 // BĐ1 within hysteresis
        Assert.True(Feed(book, 0.5, 4));                   // cleared
        Assert.Empty(book.Active);
        var cleared = Assert.Single(book.History);
        Assert.Equal((AlertStatus.Cleared, Now, Now.AddMinutes(4)), (cleared.Status, cleared.RaisedAt, cleared.ClearedAt!.Value));
    }

    [Fact]
    public void A_book_keeps_its_alerts_through_its_stored_JSON_and_an_empty_one_holds_no_collection()
    {
        var book = new AlertBook();
        Feed(book, 2.05, 0);
        Feed(book, 0.5, 1); // cleared into history
        Feed(book, 3.6, 2); // raised again, at level 3
        var back = System.Text.Json.JsonSerializer.Deserialize<AlertBook>(System.Text.Json.JsonSerializer.Serialize(book))!;
        Assert.Equal(book.Active, back.Active);
        Assert.Equal(book.History, back.History);
        Assert.Equal(3, back.HighestLevel);

        var empty = System.Text.Json.JsonSerializer.Deserialize<AlertBook>("""{"Active":{},"History":[]}""")!;
        Assert.Same(new AlertBook().Active, empty.Active); // the shared empty view, not a dictionary of its own
        Assert.Equal((0, 0), (empty.HighestLevel, empty.ActiveByRule().Count));
        Assert.True(Feed(empty, 2.05, 0)); // and it still raises
        Assert.Equal(2, empty.HighestLevel);
    }

    [Fact]
    public void A_book_keeps_its_alerts_through_Orleans_serialization_and_copies_as_the_embedded_storage_keeps_them()
    {
        var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var copier = services.GetRequiredService<DeepCopier>();
        var book = new AlertBook();
        Feed(book, 2.05, 0);
        Feed(book, 0.5, 1);
        Feed(book, 3.6, 2);
        foreach (var original in new[] { book, new AlertBook() })
        {
            var back = serializer.Deserialize<AlertBook>(serializer.SerializeToArray(original))!;
            var copy = copier.Copy(original)!;
            Assert.Equal(original.Active, back.Active);
            Assert.Equal(original.History, back.History);
            Assert.Equal(original.Active, copy.Active);
            Assert.Equal(original.History, copy.History);
            Assert.Equal(original.HighestLevel, back.HighestLevel);
        }
        Assert.True(Feed(serializer.Deserialize<AlertBook>(serializer.SerializeToArray(new AlertBook()))!, 2.05, 0)); // an empty one read back still raises
    }

    [Fact]
    public void A_thousand_readings_above_the_threshold_leave_exactly_one_active_alert()
    {
        var book = new AlertBook();
        var changes = Enumerable.Range(0, 1000).Count(i => Feed(book, 2.1 + (i % 7) / 100.0, i));
        Assert.Equal(1, changes);
        var alert = Assert.Single(book.Active.Values);
        Assert.Equal((2, Now), (alert.Level, alert.RaisedAt));
        Assert.Empty(book.History);
    }

    [Fact]
    public void Acknowledgement_holds_until_the_level_rises()
    {
        var book = new AlertBook();
        Feed(book, 1.2, 0);
        var acknowledged = book.Acknowledge(AlertRuleNames.Threshold, Roles.Official, Now.AddMinutes(1));
        Assert.Equal((AlertStatus.Acknowledged, Roles.Official), (acknowledged.Status, acknowledged.AcknowledgedBy));
        Feed(book, 1.3, 2);
        Assert.Equal(AlertStatus.Acknowledged, book.Active[AlertRuleNames.Threshold].Status);
        Feed(book, 3.6, 3);                                // escalated to BĐ3: needs a new acknowledgement
        Assert.Equal((3, AlertStatus.Raised), (book.Active[AlertRuleNames.Threshold].Level, book.Active[AlertRuleNames.Threshold].Status));
        Assert.Throws<HueNotFoundException>(() => book.Acknowledge(AlertRuleNames.Pm25Daily, Roles.Operator, Now));
    }

    [Fact]
    public void Pm25_has_a_daily_mean_rule_beside_its_VN_AQI_thresholds()
    {
        var book = new AlertBook();
        var air = SensorRules.Normalize(new SensorSpec(SensorKind.Pm25, "µg/m³", "19753", 16.46, 107.59));
        var day = new SensorStatistics(new WindowStats(1, 40, 40, 40, 40), new WindowStats(12, 30, 60, 45, 540), new WindowStats(288, 20, 90, 55, 15840));
        book.Evaluate(air, new Reading(Now, 40), day, Now);
        Assert.Equal([AlertRuleNames.Pm25Daily], book.Active.Keys); // latest 40 is moderate, but the 24-hour mean 55 is over 50
    }
}
