namespace HueGrains.Tests.Cluster;

/// <summary>
/// Readings and citizen events flow sensor/case/feedback → commune → city across two silos. Each test owns its
/// communes (indicators are exact per commune) and fresh entity ids.
/// </summary>
[Collection(ClusterCollection.Name)]
public class AggregationTests(ClusterFixture fixture)
{
    private IClusterClient Client => fixture.Client;

    private static string Commune(int index) => CityMap.Communes[index].Code;

    private async Task<string> ProvisionAsync(string commune, SensorKind kind, string unit)
    {
        var id = $"t-{Guid.NewGuid():N}";
        await Client.Sensor(id).Provision(new SensorSpec(kind, unit, commune, 16.46, 107.59));
        return id;
    }

    private Task<IngestResult> IngestAsync(string sensor, double value, DateTimeOffset? at = null) =>
        Client.Sensor(sensor).Ingest([new Reading(at ?? DateTimeOffset.UtcNow, value)], null);

    private Task<CommuneView> CommuneAsync(string code) => Client.GetGrain<ICommuneGrain>(code).Get();

    private Task<CityView> CityAsync() => Client.GetGrain<ICityGrain>(Keys.City).Get();

    [Fact]
    public async Task Readings_in_two_communes_change_their_indicators_and_the_citys()
    {
        var (a, b) = (Commune(1), Commune(2));
        var gauge = await ProvisionAsync(a, SensorKind.WaterLevel, "m");
        var air = await ProvisionAsync(b, SensorKind.Pm25, "µg/m³");

        await IngestAsync(gauge, 2.3);
        await IngestAsync(air, 65);

        var communeA = await Eventually.Holds(() => CommuneAsync(a), c => c.Indicators.FloodAlertLevel == 2);
        Assert.Equal(1, communeA.Indicators.SensorsReporting);
        Assert.Equal(2.3, communeA.Sensors.Single().Max);
        var communeB = await Eventually.Holds(() => CommuneAsync(b), c => c.Indicators.AqiBand == AqiBand.Poor);
        Assert.Equal(["pm25-24h", "threshold"], communeB.ActiveAlerts.Select(a => a.Rule).Order()); // 65 µg/m³: poor, and over the daily 50

        var city = await Eventually.Holds(CityAsync, c =>
            c.Communes.Single(x => x.Code == a).Indicators.FloodAlertLevel == 2
            && c.Communes.Single(x => x.Code == b).Indicators.AqiBand == AqiBand.Poor);
        Assert.True(city.Indicators.FloodAlertLevel >= 2);
        Assert.Contains(city.ActiveAlerts, x => x.SensorId == gauge && x.Level == 2 && x.Commune == a);
        Assert.Contains(city.ActiveAlerts, x => x.SensorId == air && x.Commune == b);

        await IngestAsync(gauge, 0.4);
        await Eventually.Holds(CityAsync, c => c.Communes.Single(x => x.Code == a).Indicators.FloodAlertLevel == 0
            && c.ActiveAlerts.All(x => x.SensorId != gauge));
    }

    [Fact]
    public async Task A_resent_reading_older_than_the_sensors_recent_timestamps_is_a_duplicate_and_counted_once()
    {
        var gauge = await ProvisionAsync(Commune(3), SensorKind.WaterLevel, "m");
        var now = DateTimeOffset.UtcNow;
        var readings = Enumerable.Range(0, 600).Select(i => new Reading(now.AddSeconds(i - 600), 1 + i / 1000.0)).ToList();
        Assert.Equal(600, (await Client.Sensor(gauge).Ingest(readings, null)).Accepted);
        var before = (await Client.Sensor(gauge).Get())!.Statistics.LastHour;

        // The first readings left the sensor's recent timestamps long ago; the journal still holds them.
        var resent = await Client.Sensor(gauge).Ingest([readings[0], readings[1], new Reading(now.AddSeconds(-700), 1.5)], null);

        Assert.Equal(["duplicate", "duplicate", "accepted"], resent.Results.Select(r => r.Status.ToString().ToLowerInvariant()));
        var after = (await Client.Sensor(gauge).Get())!.Statistics.LastHour;
        Assert.Equal(before.Count + 1, after.Count);
        Assert.Equal(before.Sum + 1.5, after.Sum, 9);
    }

    [Fact]
    public async Task A_sensor_answers_latest_statistics_and_alert_and_sorts_out_duplicates_and_bad_readings()
    {
        var gauge = await ProvisionAsync(Commune(3), SensorKind.WaterLevel, "m");
        var now = DateTimeOffset.UtcNow;
        var result = await Client.Sensor(gauge).Ingest(
        [
            new Reading(now.AddSeconds(-20), 1.2),
            new Reading(now.AddSeconds(-10), 3.6),
            new Reading(now.AddSeconds(-20), 1.2),        // duplicate
            new Reading(now.AddSeconds(-30), 0.9),        // late: history and stats, not latest
            new Reading(now.AddMinutes(10), 1.0),         // future
            new Reading(now.AddSeconds(-5), double.NaN),
        ], null);

        Assert.Equal((3, 1, 2), (result.Accepted, result.Duplicates, result.Rejected));
        Assert.Equal(["accepted", "accepted", "duplicate", "accepted", "rejected", "rejected"],
            result.Results.Select(r => r.Status.ToString().ToLowerInvariant()));
        Assert.Equal("at", result.Results[4].Field);
        Assert.Equal("value", result.Results[5].Field);

        var view = (await Client.Sensor(gauge).Get())!;
        Assert.Equal(3.6, view.Latest!.Value);
        Assert.Equal(3, view.AlertLevel);
        Assert.Equal((3, 0.9, 3.6), (view.Statistics.LastMinute.Count, view.Statistics.LastMinute.Min!.Value, view.Statistics.LastMinute.Max!.Value));
        Assert.Equal(1.9, view.Statistics.LastHour.Mean!.Value, 6);
    }

    [Fact]
    public async Task Duplicated_and_reordered_stream_events_do_not_double_count()
    {
        var code = Commune(4);
        var (citizenId, official) = await RegisterCitizenAsync(code);
        var caseGrain = Client.GetGrain<ICaseGrain>(Keys.NewCaseId());
        await caseGrain.File(new CaseFiling("marital-status-certificate", citizenId, code,
            new Dictionary<string, string> { ["purpose"] = "kết hôn" }), new Actor(Roles.Citizen, CitizenId: citizenId));
        var filed = (await caseGrain.GetSnapshot())!;
        await caseGrain.ChangeStatus(CaseStatus.Processing, null, official);
        await caseGrain.ChangeStatus(CaseStatus.ReadyToReturn, null, official);
        await caseGrain.ChangeStatus(CaseStatus.Returned, null, official);
        var done = (await caseGrain.GetSnapshot())!;

        var gauge = await ProvisionAsync(code, SensorKind.WaterLevel, "m");
        await IngestAsync(gauge, 2.3);
        var gaugeNow = (await Client.Sensor(gauge).GetSnapshot())!;
        await Eventually.Holds(() => CommuneAsync(code), c => c.Indicators.ResolvedCases == 1 && c.Indicators.FloodAlertLevel == 2);

        // Redeliver: the final state again and again, then older states after it, as a stream may do.
        var cases = Client.GetStreamProvider(HueStreams.Provider).GetStream<CaseSnapshot>(StreamId.Create(HueStreams.CaseEvents, code));
        var sensors = Client.GetStreamProvider(HueStreams.Provider).GetStream<SensorEventBatch>(StreamId.Create(HueStreams.SensorEvents, code));
        for (var i = 0; i < 5; i++) await cases.OnNextAsync(done);
        await cases.OnNextAsync(filed);
        await sensors.OnNextAsync(new SensorEventBatch([gaugeNow, gaugeNow, gaugeNow with { Version = gaugeNow.Version - 1, AlertLevel = 0, Alerts = [] }]));
        var marker = await ProvisionAsync(code, SensorKind.Temperature, "°C"); // a later event proves the redelivery was processed
        await IngestAsync(marker, 30);

        var view = await Eventually.Holds(() => CommuneAsync(code), c => c.Indicators.Sensors == 2 && c.Indicators.SensorsReporting == 2);
        Assert.Equal((0, 1, 1, 1.0), (view.Indicators.OpenCases, view.Indicators.ResolvedCases, view.Indicators.CompletedOnTime, view.Indicators.OnTimeRate!.Value));
        Assert.Equal(2, view.Indicators.FloodAlertLevel);
        Assert.Equal(1, view.Indicators.ActiveAlerts);
    }

    [Fact]
    public async Task Reconcile_rebuilds_a_commune_from_the_projections_and_drops_a_sensor_version_from_the_future()
    {
        var code = Commune(5);
        var gauge = await ProvisionAsync(code, SensorKind.WaterLevel, "m");
        await IngestAsync(gauge, 1.5);
        await Eventually.Holds(() => CommuneAsync(code), c => c.Indicators.FloodAlertLevel == 1);

        // A corrupt event with a far-future version makes the commune believe a false flood.
        var bogus = Domain.CommuneLedgerTests.Sensor(gauge, SensorKind.WaterLevel, new Reading(DateTimeOffset.UtcNow, 9.0), 3, version: long.MaxValue - 1);
        await Client.GetStreamProvider(HueStreams.Provider).GetStream<SensorEventBatch>(StreamId.Create(HueStreams.SensorEvents, code))
            .OnNextAsync(new SensorEventBatch([bogus]));
        await Eventually.Holds(() => CommuneAsync(code), c => c.Indicators.FloodAlertLevel == 3);

        var rebuilt = await Client.GetGrain<ICommuneGrain>(code).Reconcile();
        Assert.Equal(1, rebuilt.Indicators.FloodAlertLevel);
        Assert.Equal(1.5, rebuilt.Sensors.Single().Max);

        await IngestAsync(gauge, 2.1); // after reconcile, the sensor's real versions apply again
        await Eventually.Holds(() => CommuneAsync(code), c => c.Indicators.FloodAlertLevel == 2);
        await Eventually.Holds(CityAsync, c => c.Communes.Single(x => x.Code == code).Indicators.FloodAlertLevel == 2);
    }

    [Fact]
    public async Task Feedback_and_cases_feed_the_commune_and_city_indicators()
    {
        var code = Commune(6);
        var (citizenId, official) = await RegisterCitizenAsync(code);
        var citizen = new Actor(Roles.Citizen, CitizenId: citizenId);

        var good = Client.GetGrain<IFeedbackGrain>(Keys.NewFeedbackId());
        await good.Submit(new FeedbackReport(FeedbackCategory.EnvironmentSanitation, "Rác thải ven sông", code, 16.47, 107.58, null), citizenId);
        var open = Client.GetGrain<IFeedbackGrain>(Keys.NewFeedbackId());
        await open.Submit(new FeedbackReport(FeedbackCategory.TrafficInfrastructure, "Ổ gà trên đường", code, null, null, "12 Lê Lợi"), citizenId);
        await good.ChangeStatus(FeedbackStatus.Resolved, "Đã thu gom", official);
        var rated = await good.Rate(5, citizen);
        Assert.Equal(FeedbackStatus.Closed, rated.Status);

        var dossier = Client.GetGrain<ICaseGrain>(Keys.NewCaseId());
        var counterCode = await Client.GetGrain<ICitizenGrain>(citizenId).CreateCounterCode(citizen); // the applicant is at the counter
        var filed = await dossier.File(new CaseFiling("birth-registration", citizenId, null,
            new Dictionary<string, string> { ["childFullName"] = "Bé Na", ["childDateOfBirth"] = "2026-11-20", ["childSex"] = "nữ" },
            CounterCode: counterCode.Code), official);
        Assert.Equal(code, filed.Commune); // from the applicant's profile
        Assert.Equal("Nguyễn Văn An", filed.Form["fullName"]); // once-only: pre-filled

        var view = await Eventually.Holds(() => CommuneAsync(code), c => c.Indicators.OpenCases == 1 && c.Indicators.ResolvedFeedback == 1);
        Assert.Equal((1, 1, 1.0), (view.Indicators.OpenFeedback, view.Indicators.RatedFeedback, view.Indicators.SatisfactionRate!.Value));
        await Eventually.Holds(CityAsync, c => c.Communes.Single(x => x.Code == code).Indicators.OpenCases == 1);

        var profile = (await Client.GetGrain<ICitizenGrain>(citizenId).Read(new DataAccess(citizen, AccessPurposes.Profile)))!;
        Assert.Contains(filed.Id, profile.Cases);
        Assert.Equal(2, profile.Feedback.Count);
    }

    [Fact]
    public async Task Domain_errors_cross_silos_as_their_own_types()
    {
        var code = Commune(7);
        var (citizenId, _) = await RegisterCitizenAsync(code);
        var twin = Client.GetGrain<ICitizenGrain>(Keys.NewCitizenId());
        var profile = (await Client.GetGrain<ICitizenGrain>(citizenId).Read(new DataAccess(new Actor(Roles.Citizen, CitizenId: citizenId), AccessPurposes.Profile)))!.Profile;
        await Assert.ThrowsAsync<HueConflictException>(() => twin.Register(profile)); // once-only: one citizen per national ID

        var ex = await Assert.ThrowsAsync<HueValidationException>(() =>
            Client.GetGrain<ICitizenGrain>(Keys.NewCitizenId()).Register(profile with { NationalId = "12345" }));
        Assert.Contains("nationalId", ex.Errors.Keys);
        await Assert.ThrowsAsync<HueNotFoundException>(() => Client.Sensor($"t-{Guid.NewGuid():N}").Ingest([new Reading(DateTimeOffset.UtcNow, 1)], null));
        var gauge = await ProvisionAsync(code, SensorKind.WaterLevel, "m");
        await Assert.ThrowsAsync<HueForbiddenException>(() => Client.Sensor(gauge).Ingest([new Reading(DateTimeOffset.UtcNow, 1)], DeviceKeys.Hash("wrong-key-wrong-key")));
        await Assert.ThrowsAsync<HueConflictException>(() =>
            Client.Sensor(gauge).Provision(new SensorSpec(SensorKind.WaterLevel, "m", Commune(8), 16.4, 107.5)));
    }

    private async Task<(string CitizenId, Actor Official)> RegisterCitizenAsync(string commune)
    {
        var id = Keys.NewCitizenId();
        var nationalId = Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Client.GetGrain<ICitizenGrain>(id).Register(new CitizenProfile("Nguyễn Văn An", new DateOnly(1990, 5, 17), nationalId, "0905123456", commune));
        return (id, new Actor(Roles.Official, Commune: commune));
    }
}
