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

    private static ClosedTotals Totals(int casesClosed = 0, int completed = 0, int onTime = 0, int feedbackClosed = 0, int rated = 0,
        int satisfied = 0, params TimeSpan[] resolveTimes) =>
        new(casesClosed, completed, onTime, completed, onTime, feedbackClosed, rated, satisfied, rated, satisfied, ResolveTimes.Of(resolveTimes));

    [Fact]
    public void Duplicated_and_reordered_snapshots_are_applied_once_and_a_late_open_copy_cannot_reopen_a_closed_item()
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
        var applied = history.Count(s => ledger.Apply(s, Now));

        Assert.Equal(2, applied);
        Assert.Equal(["pa-2"], ledger.OpenFeedback.Keys);
        Assert.True(ledger.TotalsStale); // pa-1 closed: its commune reads the store's totals again
        ledger.SetTotals(Totals(feedbackClosed: 1, rated: 1, satisfied: 1));
        var i = ledger.Compute("19753", 1, Now).Indicators;
        Assert.Equal((1, 1, 1, 1.0), (i.OpenFeedback, i.ResolvedFeedback, i.RatedFeedback, i.SatisfactionRate!.Value));
    }

    [Fact]
    public void A_reopened_report_leaves_the_closed_totals_and_counts_open_again()
    {
        var ledger = new CommuneLedger();
        ledger.Apply(Report("pa-1", 2, FeedbackStatus.Resolved), Now);
        ledger.SetTotals(Totals(feedbackClosed: 1));
        Assert.True(ledger.Apply(Report("pa-1", 3, FeedbackStatus.Reopened), Now));
        Assert.True(ledger.TotalsStale);
        Assert.Contains("pa-1", ledger.OpenFeedback.Keys);
    }

    [Fact]
    public void Overdue_counts_open_items_past_their_due_time_and_the_clock_pauses_for_supplements()
    {
        var ledger = new CommuneLedger();
        ledger.Apply(Report("pa-late", 1, FeedbackStatus.Assigned, dueHours: -1), Now);
        ledger.Apply(Report("pa-fine", 1, FeedbackStatus.Assigned, dueHours: 5), Now);
        ledger.Apply(new CaseSnapshot("hs-late", 1, CaseStatus.Processing, Now.AddDays(-1), null), Now);
        ledger.Apply(new CaseSnapshot("hs-paused", 1, CaseStatus.SupplementRequested, Now.AddDays(-1), null), Now);
        ledger.Apply(new CaseSnapshot("hs-done", 4, CaseStatus.Returned, Now.AddDays(1), Now), Now);
        ledger.SetTotals(Totals(casesClosed: 2, completed: 2, onTime: 1));

        var i = ledger.Compute("19753", 1, Now).Indicators;
        Assert.Equal((2, 1), (i.OpenFeedback, i.OverdueFeedback));
        Assert.Equal((2, 1, 2, 1, 0.5), (i.OpenCases, i.OverdueCases, i.ResolvedCases, i.CompletedOnTime, i.OnTimeRate!.Value));
    }

    [Fact]
    public void Citizen_service_indicators_count_open_cases_by_stage_and_closed_ones_from_the_totals_and_the_median_merges_into_the_city()
    {
        var a = new CommuneLedger();
        a.Apply(new CaseSnapshot("hs-1", 1, CaseStatus.Received, Now.AddDays(1), null), Now);
        a.Apply(new CaseSnapshot("hs-2", 1, CaseStatus.Processing, Now.AddDays(1), null), Now);
        a.Apply(new CaseSnapshot("hs-3", 1, CaseStatus.Processing, Now.AddHours(-1), null, "certified-copy", Now.AddDays(-1), Overdue: true), Now);
        a.SetTotals(Totals(casesClosed: 1, feedbackClosed: 3, rated: 3, satisfied: 3,
            resolveTimes: [TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(30)]));
        var b = new CommuneLedger();
        b.SetTotals(Totals(feedbackClosed: 2, resolveTimes: [TimeSpan.FromHours(40), TimeSpan.FromHours(50)]));

        var sa = a.Compute("19753", 1, Now);
        var i = sa.Indicators;
        Assert.Equal((4, 3, 2, 1), (i.CasesReceived, i.OpenCases, i.CasesProcessing, i.OverdueCases));
        Assert.Equal(5.12, i.MedianHoursToResolve); // 5 h lies in the quarter hour 5.00–5.25
        Assert.Equal((3, 3, 1.0, 1.0), (i.ResolvedFeedback, i.SatisfiedFeedback, i.SatisfactionRate!.Value, i.SatisfactionRate90d!.Value));

        var city = new CityLedger();
        city.Apply(sa);
        city.Apply(b.Compute("19774", 1, Now));
        var all = city.View().Indicators;
        Assert.Equal(30.12, all.MedianHoursToResolve); // 2, 5, 30, 40, 50 → 30
        Assert.Equal((4, 5, 3), (all.CasesReceived, all.ResolvedFeedback, all.SatisfiedFeedback));
    }

    [Fact]
    public void Reconcile_replaces_open_items_with_the_store_and_keeps_a_sensor_snapshot_newer_than_its_saved_row()
    {
        var ledger = new CommuneLedger();
        ledger.Apply(new CaseSnapshot("hs-gone", 2, CaseStatus.Processing, Now.AddDays(1), null), Now);
        ledger.Apply(Sensor("w1", SensorKind.WaterLevel, new Reading(Now, 2.3), 2, version: 9), Now);

        ledger.Load(new CommuneContents(
            [new CaseSnapshot("hs-missed", 1, CaseStatus.Received, Now.AddDays(1), null)], [],
            [Sensor("w1", SensorKind.WaterLevel, new Reading(Now.AddMinutes(-10), 1.0), 0, version: 5), Sensor("w2", SensorKind.Rainfall, null, 0)],
            Totals(casesClosed: 7, completed: 7, onTime: 7)), Now);

        Assert.Equal(["hs-missed"], ledger.OpenCases.Keys);
        Assert.Equal(9, ledger.Sensors["w1"].Version);
        Assert.Equal(2, ledger.Sensors.Count);
        Assert.Equal(8, ledger.Compute("19753", 1, Now).Indicators.CasesReceived);
    }

    [Fact]
    public void A_reconcile_of_the_sensors_saved_since_the_last_keeps_the_sensors_it_did_not_read()
    {
        var ledger = new CommuneLedger();
        ledger.Load(new CommuneContents([], [], [Sensor("w1", SensorKind.WaterLevel, null, 0, version: 5), Sensor("w2", SensorKind.Rainfall, null, 0, version: 5)],
            Totals()), Now);

        ledger.Load(new CommuneContents([], [], [Sensor("w2", SensorKind.Rainfall, new Reading(Now, 12), 1, version: 7)], Totals(), SensorsCursor: 42), Now);

        Assert.Equal(["w1", "w2"], ledger.Sensors.Keys.Order());
        Assert.Equal((5, 7), (ledger.Sensors["w1"].Version, ledger.Sensors["w2"].Version));
    }

    [Fact]
    public void Sensor_indicators_per_kind_count_only_sensors_reporting_within_the_hour()
    {
        var ledger = new CommuneLedger();
        ledger.Apply(Sensor("w1", SensorKind.WaterLevel, new Reading(Now.AddMinutes(-1), 2.3), 2), Now);
        ledger.Apply(Sensor("w2", SensorKind.WaterLevel, new Reading(Now.AddMinutes(-2), 0.7), 0), Now);
        ledger.Apply(Sensor("w3", SensorKind.WaterLevel, new Reading(Now.AddHours(-3), 9.0), 3), Now);
        ledger.Apply(Sensor("p1", SensorKind.Pm25, new Reading(Now.AddMinutes(-1), 60), 1, AqiBand.Poor), Now);

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
        a.SetTotals(Totals(casesClosed: 1, completed: 1, onTime: 1));
        a.Apply(Sensor("w1", SensorKind.WaterLevel, new Reading(Now, 2.3), 2), Now);
        var b = new CommuneLedger();
        b.SetTotals(Totals(casesClosed: 3, completed: 3, onTime: 0));

        Assert.True(city.Apply(a.Compute("19774", 5, Now)));
        Assert.True(city.Apply(b.Compute("19753", 5, Now)));
        Assert.False(city.Apply(b.Compute("19753", 4, Now))); // stale
        var view = city.View();

        Assert.Equal(40, view.Communes.Count);
        Assert.Equal(0.25, view.Indicators.OnTimeRate);
        Assert.Equal(0.25, view.Indicators.OnTimeRate90d);
        Assert.Equal(2, view.Indicators.FloodAlertLevel);
        Assert.Equal(2, view.Communes.Single(c => c.Code == "19774").Indicators.FloodAlertLevel);
        Assert.Single(view.ActiveAlerts);
    }
}
