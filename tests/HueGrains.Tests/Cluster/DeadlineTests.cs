using System.Diagnostics;
using HueGrains.Grains.Domain;

namespace HueGrains.Tests.Cluster;

/// <summary>Statutory deadlines on the domain clock: due dates from the working calendar, overdue dossiers and reports.</summary>
public class DeadlineTests(FakeClockFixture fixture) : IClassFixture<FakeClockFixture>
{
    private IClusterClient Client => fixture.Cluster.Client;

    /// <summary>Moves the fake clock forward to the next <paramref name="day"/> at <paramref name="localTime"/> (UTC+7).</summary>
    private DateTimeOffset AdvanceTo(DayOfWeek day, TimeOnly localTime)
    {
        var local = fixture.Clock.GetUtcNow().ToOffset(WorkingCalendar.Offset);
        var date = DateOnly.FromDateTime(local.DateTime).AddDays(1);
        while (date.DayOfWeek != day) date = date.AddDays(1);
        var target = new DateTimeOffset(date.ToDateTime(localTime), WorkingCalendar.Offset);
        fixture.Clock.SetUtcNow(target);
        return target;
    }

    private async Task<(string Id, Actor Citizen, Actor Official)> RegisterAsync(string commune)
    {
        var id = Keys.NewCitizenId();
        var nationalId = Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Client.GetGrain<ICitizenGrain>(id).Register(new CitizenProfile("Phan Thị Hoa", new DateOnly(1992, 8, 9), nationalId, "0905765432", commune));
        return (id, new Actor(Roles.Citizen, CitizenId: id), new Actor(Roles.Official, Commune: commune, Subject: "official-test"));
    }

    [Fact]
    public async Task A_birth_registration_filed_on_Friday_at_16_00_is_due_Monday_and_counts_overdue_within_2_s_of_the_deadline()
    {
        var code = CityMap.Communes[30].Code;
        var (citizenId, citizen, _) = await RegisterAsync(code);
        var filedAt = AdvanceTo(DayOfWeek.Friday, new TimeOnly(16, 0));

        var dossier = Client.GetGrain<ICaseGrain>(Keys.NewCaseId());
        var view = await dossier.File(new CaseFiling("birth-registration", citizenId, null,
            new Dictionary<string, string> { ["childFullName"] = "Bé Su", ["childDateOfBirth"] = "2026-11-20", ["childSex"] = "nam" }), citizen);
        var due = view.DueAt.ToOffset(WorkingCalendar.Offset);
        Assert.Equal(DayOfWeek.Monday, due.DayOfWeek);
        Assert.Equal((filedAt.AddDays(3).Date, 17), (due.Date, due.Hour));

        var report = Client.GetGrain<IFeedbackGrain>(Keys.NewFeedbackId());
        await report.Submit(new FeedbackReport(FeedbackCategory.SecurityOrder, "Tụ tập gây ồn ào ban đêm", code, null, null, null), citizenId);

        var commune = Client.GetGrain<ICommuneGrain>(code);
        var city = Client.GetGrain<ICityGrain>(Keys.City);
        await Eventually.Holds(() => commune.Get(), c => c.Indicators.OpenCases == 1 && c.Indicators.OpenFeedback == 1);
        Assert.Equal((0, 0), ((await commune.Get()).Indicators.OverdueCases, (await commune.Get()).Indicators.OverdueFeedback));

        // The report's 24 hours pass first (Saturday 16:00), then the dossier's Monday 17:00.
        fixture.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        var clock = Stopwatch.StartNew();
        await Eventually.Holds(() => city.Get(), c => c.Communes.Single(x => x.Code == code).Indicators.OverdueFeedback == 1, TimeSpan.FromSeconds(2));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2));
        Assert.Equal(0, (await commune.Get()).Indicators.OverdueCases);

        fixture.Clock.SetUtcNow(view.DueAt.AddMinutes(1));
        clock.Restart();
        var cityView = await Eventually.Holds(() => city.Get(), c => c.Communes.Single(x => x.Code == code).Indicators.OverdueCases == 1, TimeSpan.FromSeconds(2));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2));
        Assert.True(cityView.Indicators.OverdueCases >= 1);
        Assert.Equal(1, (await commune.Get()).Indicators.OverdueCases);
        Assert.True((await dossier.Read(citizen))!.Overdue);
    }

    [Fact]
    public async Task The_deadline_reminder_marks_a_dossier_overdue_once_and_a_supplement_request_stops_the_clock()
    {
        var code = CityMap.Communes[31].Code;
        var (citizenId, citizen, official) = await RegisterAsync(code);
        AdvanceTo(DayOfWeek.Monday, new TimeOnly(9, 0));
        var dossier = Client.GetGrain<ICaseGrain>(Keys.NewCaseId());
        var filed = await dossier.File(new CaseFiling("temporary-residence", citizenId, null,
            new Dictionary<string, string> { ["address"] = "3 Chi Lăng", ["stayUntil"] = "2027-06-30" }), citizen);
        Assert.Equal(DayOfWeek.Thursday, filed.DueAt.ToOffset(WorkingCalendar.Offset).DayOfWeek);
        var reminder = Client.GetGrain<IRemindable>(dossier.GetGrainId());

        await reminder.ReceiveReminder("deadline", default); // early: nothing changes
        Assert.DoesNotContain((await dossier.Read(citizen))!.History, h => h.Status == "overdue");

        // Two days waiting for the applicant's supplement do not count against the commune.
        await dossier.ChangeStatus(CaseStatus.SupplementRequested, "Thiếu giấy xác nhận chỗ ở", official);
        fixture.Clock.Advance(TimeSpan.FromDays(2));
        var resumed = await dossier.ChangeStatus(CaseStatus.Processing, null, official);
        Assert.Equal(filed.DueAt.AddDays(2), resumed.DueAt);

        fixture.Clock.SetUtcNow(resumed.DueAt.AddHours(1));
        await reminder.ReceiveReminder("deadline", default);
        await reminder.ReceiveReminder("deadline", default); // a second tick adds nothing
        var late = (await dossier.Read(citizen))!;
        Assert.True(late.Overdue);
        Assert.Single(late.History, h => h.Status == "overdue");
        Assert.True((await dossier.GetSnapshot())!.Overdue);

        var done = await dossier.ChangeStatus(CaseStatus.ReadyToReturn, null, official);
        done = await dossier.ChangeStatus(CaseStatus.Returned, null, official);
        Assert.Equal(Timeliness.Late, done.Timeliness);
        Assert.False(done.Overdue);
    }

    [Fact]
    public async Task A_reminder_marks_an_unanswered_report_overdue_and_a_reopened_report_gets_a_new_deadline()
    {
        var code = CityMap.Communes[32].Code;
        var (citizenId, citizen, official) = await RegisterAsync(code);
        var report = Client.GetGrain<IFeedbackGrain>(Keys.NewFeedbackId());
        var submitted = await report.Submit(new FeedbackReport(FeedbackCategory.EnvironmentSanitation, "Nước thải chảy ra đường", code, 16.45, 107.6, null), citizenId);
        fixture.Clock.SetUtcNow(submitted.DueAt.AddMinutes(5));
        await Client.GetGrain<IRemindable>(report.GetGrainId()).ReceiveReminder("deadline", default);
        Assert.True((await report.GetSnapshot())!.Overdue);
        await Eventually.Holds(() => Client.GetGrain<ICommuneGrain>(code).Get(), c => c.Indicators.OverdueFeedback == 1);

        await report.ChangeStatus(FeedbackStatus.Resolved, "Đã nạo vét cống", official);
        await Eventually.Holds(() => Client.GetGrain<ICommuneGrain>(code).Get(), c => c.Indicators.OverdueFeedback == 0 && c.Indicators.ResolvedFeedback == 1);
        fixture.Clock.Advance(TimeSpan.FromDays(2));
        var reopened = await report.Reopen("Vẫn còn nước thải", citizen);
        Assert.Equal(FeedbackStatus.Reopened, reopened.Status);
        Assert.False(reopened.Overdue);
        Assert.Equal(fixture.Clock.GetUtcNow() + TimeSpan.FromHours(48), reopened.DueAt);

        await report.ChangeStatus(FeedbackStatus.Resolved, "Đã xử lý triệt để", official);
        fixture.Clock.Advance(TimeSpan.FromDays(8)); // past the 7-day window
        await Assert.ThrowsAsync<HueConflictException>(() => report.Reopen("Lại tái diễn", citizen));
    }
}
