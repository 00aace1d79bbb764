namespace HueGrains.Grains.Domain;

/// <summary>
/// Working days of Vietnamese public offices: Monday to Friday, closing at 17:00 local time (UTC+7; Vietnam has no
/// daylight saving time). Public holidays come with the holiday calendar of the citizen-services work.
/// </summary>
public static class WorkingCalendar
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(7);
    private static readonly TimeOnly Closing = new(17, 0);
    private static readonly TimeOnly SameDayCutoff = new(15, 0);

    public static DateOnly LocalDate(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(Offset).DateTime);

    public static bool IsWorkingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    /// <summary>The due time of a dossier filed at <paramref name="filedAt"/> under <paramref name="limit"/>.</summary>
    public static DateTimeOffset DueAt(TimeLimit limit, DateTimeOffset filedAt)
    {
        var local = filedAt.ToOffset(Offset);
        var day = DateOnly.FromDateTime(local.DateTime);
        var due = limit.Kind switch
        {
            TimeLimitKind.SameDay when IsWorkingDay(day) && (!limit.Cutoff || TimeOnly.FromDateTime(local.DateTime) < SameDayCutoff) => day,
            TimeLimitKind.SameDay => NextWorkingDay(day),
            TimeLimitKind.WorkingDays => AddWorkingDays(day, limit.Days),
            _ => day.AddDays(limit.Days),
        };
        return new DateTimeOffset(due.ToDateTime(Closing), Offset);
    }

    private static DateOnly NextWorkingDay(DateOnly day)
    {
        do day = day.AddDays(1); while (!IsWorkingDay(day));
        return day;
    }

    private static DateOnly AddWorkingDays(DateOnly day, int days)
    {
        for (var i = 0; i < days; i++) day = NextWorkingDay(day);
        return day;
    }
}
