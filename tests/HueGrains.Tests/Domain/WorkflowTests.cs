using HueGrains.Grains.Domain;

namespace HueGrains.Tests.Domain;

public class WorkflowTests
{
    private static readonly Actor Official = new(Roles.Official, Commune: "19753");
    private static readonly Actor OtherOfficial = new(Roles.Official, Commune: "19774");
    private static readonly Actor Applicant = new(Roles.Citizen, CitizenId: "c-1");

    [Theory]
    [InlineData(CaseStatus.Received, CaseStatus.Processing)]
    [InlineData(CaseStatus.Processing, CaseStatus.SupplementRequested)]
    [InlineData(CaseStatus.SupplementRequested, CaseStatus.Processing)]
    [InlineData(CaseStatus.Processing, CaseStatus.ReadyToReturn)]
    [InlineData(CaseStatus.ReadyToReturn, CaseStatus.Returned)]
    public void An_official_of_the_commune_moves_a_case_along(CaseStatus from, CaseStatus to) =>
        CaseWorkflow.EnsureAllowed(from, to, Official, "19753", "c-1");

    [Theory]
    [InlineData(CaseStatus.Received, CaseStatus.Returned)]
    [InlineData(CaseStatus.Returned, CaseStatus.Processing)]
    [InlineData(CaseStatus.Cancelled, CaseStatus.Received)]
    [InlineData(CaseStatus.ReadyToReturn, CaseStatus.Refused)]
    public void Impossible_case_transitions_are_conflicts(CaseStatus from, CaseStatus to) =>
        Assert.Throws<HueConflictException>(() => CaseWorkflow.EnsureAllowed(from, to, Official, "19753", "c-1"));

    [Fact]
    public void Only_the_responsible_commune_handles_a_case_and_only_the_applicant_may_also_cancel()
    {
        Assert.Throws<HueForbiddenException>(() => CaseWorkflow.EnsureAllowed(CaseStatus.Received, CaseStatus.Processing, OtherOfficial, "19753", "c-1"));
        Assert.Throws<HueForbiddenException>(() => CaseWorkflow.EnsureAllowed(CaseStatus.Received, CaseStatus.Processing, Applicant, "19753", "c-1"));
        CaseWorkflow.EnsureAllowed(CaseStatus.Received, CaseStatus.Cancelled, Applicant, "19753", "c-1");
        Assert.Throws<HueForbiddenException>(() =>
            CaseWorkflow.EnsureAllowed(CaseStatus.Received, CaseStatus.Cancelled, new Actor(Roles.Citizen, CitizenId: "c-2"), "19753", "c-1"));
    }

    [Fact]
    public void Resolving_a_report_needs_an_answer_and_only_the_reporter_rates_a_resolved_one()
    {
        var ex = Assert.Throws<HueValidationException>(() =>
            FeedbackWorkflow.EnsureAllowed(FeedbackStatus.InProgress, FeedbackStatus.Resolved, " ", Official, "19753"));
        Assert.Contains("answer", ex.Errors.Keys);
        Assert.Throws<HueConflictException>(() => FeedbackWorkflow.EnsureAllowed(FeedbackStatus.Closed, FeedbackStatus.InProgress, null, Official, "19753"));
        Assert.Throws<HueConflictException>(() => FeedbackWorkflow.EnsureRatable(FeedbackStatus.InProgress, 4, Applicant, "c-1"));
        Assert.Throws<HueForbiddenException>(() => FeedbackWorkflow.EnsureRatable(FeedbackStatus.Resolved, 4, Official, "c-1"));
        Assert.Throws<HueValidationException>(() => FeedbackWorkflow.EnsureRatable(FeedbackStatus.Resolved, 6, Applicant, "c-1"));
        FeedbackWorkflow.EnsureRatable(FeedbackStatus.Resolved, 5, Applicant, "c-1");
    }

    // Times are local (UTC+7). 2026-11-27 is a Friday.
    [Theory]
    [InlineData("2026-11-26T10:00:00+07:00", TimeLimitKind.SameDay, 0, "2026-11-26T17:00:00+07:00")]
    [InlineData("2026-11-26T15:30:00+07:00", TimeLimitKind.SameDay, 0, "2026-11-27T17:00:00+07:00")]
    [InlineData("2026-11-27T16:00:00+07:00", TimeLimitKind.SameDay, 0, "2026-11-30T17:00:00+07:00")]
    [InlineData("2026-11-27T09:00:00+07:00", TimeLimitKind.WorkingDays, 3, "2026-12-02T17:00:00+07:00")]
    [InlineData("2026-11-27T09:00:00+07:00", TimeLimitKind.CalendarDays, 15, "2026-12-14T17:00:00+07:00")] // day 15 is a Saturday
    [InlineData("2026-11-27T09:00:00+07:00", TimeLimitKind.CalendarDays, 12, "2026-12-09T17:00:00+07:00")]
    // 30 April and 1 May 2026 (Thursday, Friday) are holidays: three working days from Wednesday 29 April end Wednesday 6 May.
    [InlineData("2026-04-29T09:00:00+07:00", TimeLimitKind.WorkingDays, 3, "2026-05-06T17:00:00+07:00")]
    // Tết 2026: offices close 16–20 February.
    [InlineData("2026-02-13T09:00:00+07:00", TimeLimitKind.WorkingDays, 3, "2026-02-25T17:00:00+07:00")]
    [InlineData("2026-04-29T16:00:00+07:00", TimeLimitKind.SameDay, 0, "2026-05-04T17:00:00+07:00")]
    public void Due_dates_follow_working_days_holidays_and_the_15_00_rule(string filed, TimeLimitKind kind, int days, string due) =>
        Assert.Equal(DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture),
            WorkingCalendar.Default.DueAt(new TimeLimit(kind, days), DateTimeOffset.Parse(filed, System.Globalization.CultureInfo.InvariantCulture)));

    // A same-day procedure without the 15:00 cut-off (death, marriage registration) filed once the office has closed.
    [Theory]
    [InlineData("2026-11-26T16:59:00+07:00", "2026-11-26T17:00:00+07:00")]
    [InlineData("2026-11-26T17:00:00+07:00", "2026-11-27T17:00:00+07:00")]
    [InlineData("2026-11-26T21:30:00+07:00", "2026-11-27T17:00:00+07:00")]
    [InlineData("2026-11-27T18:00:00+07:00", "2026-11-30T17:00:00+07:00")]
    public void A_same_day_procedure_filed_after_closing_is_due_the_next_working_day_never_in_the_past(string filed, string due)
    {
        var at = DateTimeOffset.Parse(filed, System.Globalization.CultureInfo.InvariantCulture);
        var dueAt = WorkingCalendar.Default.DueAt(new TimeLimit(TimeLimitKind.SameDay, 0, Cutoff: false), at);
        Assert.Equal(DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture), dueAt);
        Assert.True(dueAt > at);
    }

    [Fact]
    public void Operators_add_or_replace_days_off()
    {
        var filed = new DateTimeOffset(2026, 12, 1, 9, 0, 0, WorkingCalendar.Offset); // a Tuesday
        var threeDays = new TimeLimit(TimeLimitKind.WorkingDays, 3);
        Assert.Equal(new DateOnly(2026, 12, 4), WorkingCalendar.LocalDate(WorkingCalendar.Default.DueAt(threeDays, filed)));
        var extra = WorkingCalendar.From(new CalendarOptions { Holidays = [new DateOnly(2026, 12, 3)] });
        Assert.Equal(new DateOnly(2026, 12, 7), WorkingCalendar.LocalDate(extra.DueAt(threeDays, filed)));
        Assert.False(extra.IsWorkingDay(new DateOnly(2026, 9, 2))); // the seed still counts
        var replaced = WorkingCalendar.From(new CalendarOptions { ReplaceSeed = true });
        Assert.True(replaced.IsWorkingDay(new DateOnly(2026, 9, 2)));
    }

    [Fact]
    public void Timeliness_is_judged_against_the_due_time()
    {
        var due = new DateTimeOffset(2026, 12, 2, 17, 0, 0, WorkingCalendar.Offset);
        Assert.Equal(Timeliness.Early, CaseWorkflow.Judge(due.AddDays(-1), due));
        Assert.Equal(Timeliness.OnTime, CaseWorkflow.Judge(due.AddHours(-2), due));
        Assert.Equal(Timeliness.Late, CaseWorkflow.Judge(due.AddMinutes(1), due));
    }

    [Fact]
    public void The_seeded_map_has_Hue_and_its_40_communes_with_diacritics()
    {
        Assert.Equal(40, CityMap.Communes.Count);
        Assert.Equal(21, CityMap.Communes.Count(c => c.Type == CommuneType.Ward));
        Assert.Equal("Kim Long", CityMap.Find("19774")?.Name);
        Assert.Equal("Phường Phú Xuân", CityMap.Find("19753")?.FullNameVi);
        Assert.Equal(9, ProcedureCatalog.All.Count);
    }

    [Fact]
    public void Operators_and_leaders_hide_a_photo_of_any_report_officials_only_one_of_their_commune()
    {
        FeedbackPhotoRules.EnsureMayHide(new Actor(Roles.Operator), commune: null, "shows a face");   // waiting in triage
        FeedbackPhotoRules.EnsureMayHide(new Actor(Roles.Leader), commune: null, "shows a face");
        FeedbackPhotoRules.EnsureMayHide(new Actor(Roles.Leader), "19774", "shows a face");
        FeedbackPhotoRules.EnsureMayHide(Official, "19753", "shows a face");
        Assert.Throws<HueForbiddenException>(() => FeedbackPhotoRules.EnsureMayHide(Official, commune: null, "shows a face"));
        Assert.Throws<HueForbiddenException>(() => FeedbackPhotoRules.EnsureMayHide(OtherOfficial, "19753", "shows a face"));
        Assert.Throws<HueForbiddenException>(() => FeedbackPhotoRules.EnsureMayHide(Applicant, "19753", "shows a face"));
        Assert.Throws<HueValidationException>(() => FeedbackPhotoRules.EnsureMayHide(new Actor(Roles.Operator), commune: null, " "));
    }
}
