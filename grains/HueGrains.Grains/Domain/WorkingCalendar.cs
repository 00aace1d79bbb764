using System.Collections.Frozen;

namespace HueGrains.Grains.Domain;

/// <summary>Configuration section <c>Hue:Calendar</c>: days off added to (or replacing) the seed holiday calendar.</summary>
public sealed class CalendarOptions
{
    public const string Section = "Hue:Calendar";

    /// <summary>Extra days off (yyyy-MM-dd), e.g. a year's Tết plan once the government announces it.</summary>
    public List<DateOnly> Holidays { get; set; } = [];

    /// <summary>When true, only <see cref="Holidays"/> count and the seed calendar is ignored.</summary>
    public bool ReplaceSeed { get; set; }
}

/// <summary>
/// Working days of Vietnamese public offices: Monday to Friday except public holidays, closing at 17:00 local time
/// (UTC+7; Vietnam has no daylight saving time).
/// </summary>
public sealed class WorkingCalendar(IEnumerable<DateOnly> holidays)
{
    public static readonly TimeSpan Offset = HueLocalTime.Offset;
    private static readonly TimeOnly Closing = new(17, 0);
    private static readonly TimeOnly SameDayCutoff = new(15, 0);

    private readonly FrozenSet<DateOnly> _holidays = holidays.ToFrozenSet();

    /// <summary>The seed calendar of Vietnam's public holidays.</summary>
    public static WorkingCalendar Default { get; } = new(HolidaySeed.All.Select(h => h.Date));

    public static WorkingCalendar From(CalendarOptions options) =>
        new((options.ReplaceSeed ? [] : HolidaySeed.All.Select(h => h.Date)).Concat(options.Holidays));

    public static DateOnly LocalDate(DateTimeOffset at) => HueLocalTime.Date(at);

    public bool IsWorkingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.Contains(day);

    /// <summary>The due time of a dossier filed at <paramref name="filedAt"/> under <paramref name="limit"/>.</summary>
    public DateTimeOffset DueAt(TimeLimit limit, DateTimeOffset filedAt)
    {
        var local = filedAt.ToOffset(Offset);
        var day = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var due = limit.Kind switch
        {
            // Same day before the 15:00 cut-off (where the procedure has one), and in any case before the office closes.
            TimeLimitKind.SameDay when IsWorkingDay(day) && time < (limit.Cutoff ? SameDayCutoff : Closing) => day,
            TimeLimitKind.SameDay => NextWorkingDay(day),
            TimeLimitKind.WorkingDays => AddWorkingDays(day, limit.Days),
            // Calendar days; a limit that ends on a day off runs to the next working day.
            _ => IsWorkingDay(day.AddDays(limit.Days)) ? day.AddDays(limit.Days) : NextWorkingDay(day.AddDays(limit.Days)),
        };
        return new DateTimeOffset(due.ToDateTime(Closing), Offset);
    }

    private DateOnly NextWorkingDay(DateOnly day)
    {
        do day = day.AddDays(1); while (!IsWorkingDay(day));
        return day;
    }

    private DateOnly AddWorkingDays(DateOnly day, int days)
    {
        for (var i = 0; i < days; i++) day = NextWorkingDay(day);
        return day;
    }
}
