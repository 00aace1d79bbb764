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
        Assert.True(window.Slots.Length <= 60);
        Assert.Equal(0, window.Stats(later.AddMinutes(2)).Count);
        Assert.Null(window.Stats(later.AddMinutes(2)).Mean);
    }

    [Fact]
    public void A_bucket_rolls_over_as_the_window_moves_and_its_slot_is_reused_for_a_new_bucket()
    {
        var window = new RollingWindow(TimeSpan.FromSeconds(1), 60);
        window.Add(Now, 5.0, Now);
        window.Add(Now.AddSeconds(30), 1.0, Now.AddSeconds(30));
        Assert.Equal((2, 1.0, 5.0), Figures(window.Stats(Now.AddSeconds(59))));
        Assert.Equal((1, 1.0, 1.0), Figures(window.Stats(Now.AddSeconds(60)))); // the first bucket has left the window

        window.Add(Now.AddSeconds(60), 7.0, Now.AddSeconds(60)); // the same slot of the ring as the first bucket
        Assert.Equal((2, 1.0, 7.0), Figures(window.Stats(Now.AddSeconds(60))));
        Assert.Equal(8.0, window.Stats(Now.AddSeconds(60)).Sum);
    }

    [Fact]
    public void A_gap_longer_than_the_window_leaves_nothing_behind()
    {
        var window = new RollingWindow(TimeSpan.FromMinutes(1), 60);
        for (var i = 0; i < 60; i++) window.Add(Now.AddMinutes(i), 100 + i, Now.AddMinutes(i));
        Assert.Equal(60, window.Stats(Now.AddMinutes(59)).Count);

        var later = Now.AddHours(5);
        Assert.Equal(0, window.Stats(later).Count);
        window.Add(later, 2.5, later);
        Assert.Equal((1, 2.5, 2.5), Figures(window.Stats(later)));
        Assert.Equal((1, 2.5, 2.5), Figures(window.Stats(later.AddMinutes(59))));
        Assert.Equal(0, window.Stats(later.AddMinutes(60)).Count);
    }

    [Fact]
    public void Late_readings_within_the_window_land_in_their_own_bucket_and_older_ones_are_left_out()
    {
        var window = new RollingWindow(TimeSpan.FromMinutes(15), 96);
        var now = Now.AddHours(10);
        window.Add(now, 10, now);
        window.Add(now.AddHours(-6), 40, now);              // hours late, still within the day
        window.Add(now.AddMinutes(-1), 20, now);            // the bucket before: its own slot
        window.Add(now.AddHours(-6).AddMinutes(1), 30, now); // the same bucket as the 6-hours-late one
        window.Add(now.AddHours(-25), 1000, now);           // older than the day: left out
        Assert.Equal((4, 10.0, 40.0), Figures(window.Stats(now)));
        Assert.Equal(25.0, window.Stats(now).Mean);

        // Six hours on, the late bucket is still in the day; a day after it, it is gone.
        Assert.Equal(4, window.Stats(now.AddHours(6)).Count);
        Assert.Equal((2, 10.0, 20.0), Figures(window.Stats(now.AddHours(18).AddMinutes(1))));
    }

    [Fact]
    public void A_sparse_sensor_keeps_a_small_ring_and_a_busy_one_at_most_a_slot_per_bucket()
    {
        var stats = new RollingStats();
        stats.Add(new Reading(Now, 1.0), Now);
        Assert.Equal((1, 1, 1), (stats.Minute.Slots.Length, stats.Hour.Slots.Length, stats.Day.Slots.Length));

        for (var i = 1; i <= 2 * 24 * 60; i++) stats.Add(new Reading(Now.AddMinutes(i), i), Now.AddMinutes(i)); // every minute for two days
        Assert.True(stats.Minute.Slots.Length <= 2);
        Assert.Equal((60, 96), (stats.Hour.Slots.Length, stats.Day.Slots.Length));
        var end = Now.AddDays(2);
        var s = stats.Snapshot(end);
        Assert.Equal((1, 60, 95 * 15 + 1), (s.LastMinute.Count, s.LastHour.Count, s.LastDay.Count)); // 95 whole quarters and the one begun
        Assert.Equal(2 * 24 * 60, s.LastDay.Max);
    }

    [Fact]
    public void A_window_saved_as_json_reads_back_the_same_and_the_dictionary_form_of_older_states_still_loads()
    {
        var window = new RollingWindow(TimeSpan.FromMinutes(1), 60);
        for (var i = 0; i < 10; i++) window.Add(Now.AddMinutes(-3 * i), i, Now);
        var copy = System.Text.Json.JsonSerializer.Deserialize<RollingWindow>(System.Text.Json.JsonSerializer.Serialize(window))!;
        Assert.Equal(window.Stats(Now), copy.Stats(Now));

        var index = Now.UtcTicks / TimeSpan.TicksPerMinute;
        string Bucket(long i, int count, double min, double max, double sum) => $"\"{i}\":{{\"Count\":{count},\"Min\":{min},\"Max\":{max},\"Sum\":{sum}}}";
        var legacy = $"{{\"BucketTicks\":{TimeSpan.TicksPerMinute},\"Buckets\":60,\"Data\":{{{Bucket(index - 70, 1, 9, 9, 9)},{Bucket(index - 2, 2, 1, 3, 4)},{Bucket(index, 1, 2, 2, 2)}}}}}";
        var loaded = System.Text.Json.JsonSerializer.Deserialize<RollingWindow>(legacy)!;
        Assert.Equal((3, 1.0, 3.0), Figures(loaded.Stats(Now)));
        Assert.Equal(6.0, loaded.Stats(Now).Sum);
    }

    private static (long Count, double Min, double Max) Figures(WindowStats stats) => (stats.Count, stats.Min!.Value, stats.Max!.Value);
}
