using HueGrains.Grains.Domain;

namespace HueGrains.Tests.Domain;

public class RollingWindowTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Each_window_counts_only_the_readings_within_it()
    {
        var stats = new RollingStats();
        stats.Add(new Reading(Now.AddSeconds(-10), 1.0), Now);
        stats.Add(new Reading(Now.AddMinutes(-30), 3.0), Now);
        stats.Add(new Reading(Now.AddHours(-5), 8.0), Now);
        stats.Add(new Reading(Now.AddHours(-30), 100.0), Now); // older than a day: history only

        var s = stats.Snapshot(Now);
        Assert.Equal((1, 1.0, 1.0, 1.0), (s.LastMinute.Count, s.LastMinute.Min!.Value, s.LastMinute.Max!.Value, s.LastMinute.Mean!.Value));
        Assert.Equal((2, 1.0, 3.0, 2.0), (s.LastHour.Count, s.LastHour.Min!.Value, s.LastHour.Max!.Value, s.LastHour.Mean!.Value));
        Assert.Equal((3, 1.0, 8.0, 4.0), (s.LastDay.Count, s.LastDay.Min!.Value, s.LastDay.Max!.Value, s.LastDay.Mean!.Value));
    }

    [Fact]
    public void Readings_leave_the_window_as_time_passes_and_memory_stays_bounded()
    {
        var window = new RollingWindow(TimeSpan.FromSeconds(1), 60);
        for (var i = 0; i < 10_000; i++) window.Add(Now.AddSeconds(i), i, Now.AddSeconds(i));
        var later = Now.AddSeconds(9_999);
        Assert.Equal(60, window.Stats(later).Count);
        Assert.True(window.Data.Count <= 60);
        Assert.Equal(0, window.Stats(later.AddMinutes(2)).Count);
        Assert.Null(window.Stats(later.AddMinutes(2)).Mean);
    }
}
