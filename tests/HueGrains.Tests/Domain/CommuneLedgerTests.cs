using HueGrains.Grains.Domain;

namespace HueGrains.Tests.Domain;

public class CommuneLedgerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    internal static SensorSnapshot Sensor(string id, SensorKind kind, Reading? latest, int level, AqiBand? band = null, long version = 1) =>
        new(id, version, kind, latest, level, band,
            level == 0 ? [] : [new SensorAlert(AlertRuleNames.Threshold, level, latest?.Value ?? 0, Now.AddMinutes(-5), latest?.At ?? Now)],
            TimeSpan.FromMinutes(5), Now.AddDays(-1));

    private static FeedbackSnapshot Report(string id, long version, FeedbackStatus status, int? rating = null, double dueHours = 48) =>
        new(id, version, status, Now.AddHours(dueHours), status >= FeedbackStatus.Resolved ? Now : null, rating);

    [Fact]
    public void Duplicated_and_reordered_snapshots_are_applied_once()
    {
        var ledger = new CommuneLedger();
        var history = new IEntitySnapshot[]
        {
            Report("pa-1", 3, FeedbackStatus.Closed, rating: 5),
            Report("pa-1", 1, FeedbackStatus.Submitted),
            Report("pa-2", 1, FeedbackStatus.Submitted),
            Report("pa-1", 2, FeedbackStatus.Resolved),
            Report("pa-2", 1, FeedbackStatus.Submitted),
            Report("pa-1", 3, FeedbackStatus.Closed, rating: 5),
        };
        var applied = history.Count(ledger.Apply);

        var i = ledger.Compute("19753", 1, Now).Indicators;
        Assert.Equal(2, applied);
        Assert.Equal((1, 1, 1, 1.0), (i.OpenFeedback, i.ResolvedFeedback, i.RatedFeedback, i.SatisfactionRate!.Value));
    }

    [Fact]
    public void Overdue_counts_open_items_past_their_due_time_and_the_clock_pauses_for_supplements()
    {
        var ledger = new CommuneLedger();
        ledger.Apply(Report("pa-late", 1, FeedbackStatus.Assigned, dueHours: -1));
        ledger.Apply(Report("pa-fine", 1, FeedbackStatus.Assigned, dueHours: 5));
        ledger.Apply(new CaseSnapshot("hs-late", 1, CaseStatus.Processing, Now.AddDays(-1), null));
        ledger.Apply(new CaseSnapshot("hs-paused", 1, CaseStatus.SupplementRequested, Now.AddDays(-1), null));
        ledger.Apply(new CaseSnapshot("hs-ontime", 4, CaseStatus.Returned, Now.AddDays(1), Now));
        ledger.Apply(new CaseSnapshot("hs-lateend", 4, CaseStatus.Refused, Now.AddDays(-2), Now));

        var i = ledger.Compute("19753", 1, Now).Indicators;
        Assert.Equal((2, 1), (i.OpenFeedback, i.OverdueFeedback));
        Assert.Equal((2, 1, 2, 1, 0.5), (i.OpenCases, i.OverdueCases, i.ResolvedCases, i.CompletedOnTime, i.OnTimeRate!.Value));
    }

    [Fact]
    public void Citizen_service_indicators_count_cases_by_stage_and_the_median_time_to_resolve_merges_into_the_city()
    {
        FeedbackSnapshot Resolved(string id, double hours, int? rating = null) =>
            new(id, 2, rating is null ? FeedbackStatus.Resolved : FeedbackStatus.Closed, Now, Now, rating, FeedbackCategory.Other, Now.AddHours(-hours));
        var a = new CommuneLedger();
        foreach (var (id, hours) in new[] { ("a1", 2.0), ("a2", 5.0), ("a3", 30.0) }) a.Apply(Resolved(id, hours, rating: 4));
        a.Apply(new CaseSnapshot("hs-1", 1, CaseStatus.Received, Now.AddDays(1), null));
        a.Apply(new CaseSnapshot("hs-2", 1, CaseStatus.Processing, Now.AddDays(1), null));
        a.Apply(new CaseSnapshot("hs-3", 1, CaseStatus.Processing, Now.AddHours(-1), null, "certified-copy", Now.AddDays(-1), Overdue: true));
        a.Apply(new CaseSnapshot("hs-4", 3, CaseStatus.Cancelled, Now.AddDays(1), null));
        var b = new CommuneLedger();
        foreach (var (id, hours) in new[] { ("b1", 40.0), ("b2", 50.0) }) b.Apply(Resolved(id, hours));

        var sa = a.Compute("19753", 1, Now);
        var i = sa.Indicators;
        Assert.Equal((4, 3, 2, 1), (i.CasesReceived, i.OpenCases, i.CasesProcessing, i.OverdueCases));
        Assert.Equal(5.12, i.MedianHoursToResolve); // 5 h lies in the quarter hour 5.00–5.25
        Assert.Equal((3, 3, 1.0), (i.ResolvedFeedback, i.SatisfiedFeedback, i.SatisfactionRate!.Value));

        var city = new CityLedger();
        city.Apply(sa);
        city.Apply(b.Compute("19774", 1, Now));
        var all = city.View().Indicators;
        Assert.Equal(30.12, all.MedianHoursToResolve); // 2, 5, 30, 40, 50 → 30
        Assert.Equal((4, 5, 3), (all.CasesReceived, all.ResolvedFeedback, all.SatisfiedFeedback));
    }

    [Fact]
    public void Sensor_indicators_per_kind_count_only_sensors_reporting_within_the_hour()
    {
        var ledger = new CommuneLedger();
        ledger.Apply(Sensor("w1", SensorKind.WaterLevel, new Reading(Now.AddMinutes(-1), 2.3), 2));
        ledger.Apply(Sensor("w2", SensorKind.WaterLevel, new Reading(Now.AddMinutes(-2), 0.7), 0));
        ledger.Apply(Sensor("w3", SensorKind.WaterLevel, new Reading(Now.AddHours(-3), 9.0), 3));
        ledger.Apply(Sensor("p1", SensorKind.Pm25, new Reading(Now.AddMinutes(-1), 60), 1, AqiBand.Poor));

        var snapshot = ledger.Compute("19774", 7, Now);
        var water = snapshot.Sensors.Single(k => k.Kind == SensorKind.WaterLevel);
        Assert.Equal((3, 2, 1.5, 2.3, 3), (water.Sensors, water.SensorsReporting, water.Mean!.Value, water.Max!.Value, water.AlertLevel));
        Assert.Equal(3, snapshot.Indicators.FloodAlertLevel); // a silent gauge's last alert still stands until it clears
        Assert.Equal(AqiBand.Poor, snapshot.Indicators.AqiBand);
        Assert.Equal(3, snapshot.Indicators.SensorsReporting);
        Assert.Equal((3, 1), (snapshot.Indicators.SensorsOnline, snapshot.Indicators.SensorsOffline)); // w3: silent for 3 h, 5-minute interval
        Assert.Equal(["w3", "w1", "p1"], snapshot.ActiveAlerts.Select(a => a.SensorId));
    }

    [Fact]
    public void City_weighs_rates_by_the_counts_behind_them_and_takes_the_worst_levels()
    {
        var city = new CityLedger();
        var a = new CommuneLedger();
        a.Apply(new CaseSnapshot("hs-1", 1, CaseStatus.Returned, Now.AddDays(1), Now));
        a.Apply(Sensor("w1", SensorKind.WaterLevel, new Reading(Now, 2.3), 2));
        var b = new CommuneLedger();
        foreach (var n in Enumerable.Range(0, 3)) b.Apply(new CaseSnapshot($"hs-b{n}", 1, CaseStatus.Returned, Now.AddDays(-1), Now));

        Assert.True(city.Apply(a.Compute("19774", 5, Now)));
        Assert.True(city.Apply(b.Compute("19753", 5, Now)));
        Assert.False(city.Apply(b.Compute("19753", 4, Now))); // stale
        var view = city.View();

        Assert.Equal(40, view.Communes.Count);
        Assert.Equal(0.25, view.Indicators.OnTimeRate);
        Assert.Equal(2, view.Indicators.FloodAlertLevel);
        Assert.Equal(2, view.Communes.Single(c => c.Code == "19774").Indicators.FloodAlertLevel);
        Assert.Single(view.ActiveAlerts);
    }
}
