using System.Text.Json;
using HueGrains.Grains.Domain;

namespace HueGrains.Tests.Domain;

public class RecentTimesTests
{
    [Fact]
    public void A_time_seen_is_a_duplicate_until_256_newer_ones_push_it_out()
    {
        var recent = new RecentTimes();
        Assert.True(recent.Add(1_000));
        Assert.False(recent.Add(1_000));
        for (var t = 1_001L; t < 1_000 + RecentTimes.Capacity; t++) Assert.True(recent.Add(t));
        Assert.Equal(RecentTimes.Capacity, recent.Count);
        Assert.True(recent.Contains(1_000));

        Assert.True(recent.Add(5_000)); // the ring is full: the oldest leaves
        Assert.False(recent.Contains(1_000));
        Assert.True(recent.Contains(1_001));
        Assert.Equal(RecentTimes.Capacity, recent.Count);
        Assert.Equal(Enumerable.Range(1_001, RecentTimes.Capacity - 1).Select(t => (long)t).Append(5_000), recent.InOrder());
    }

    [Fact]
    public void Stored_as_the_json_array_oldest_first_that_states_held_before_the_ring()
    {
        var recent = new RecentTimes();
        foreach (var t in new long[] { 30, 10, 20 }) recent.Add(t);
        Assert.Equal("[30,10,20]", JsonSerializer.Serialize(recent));

        var full = JsonSerializer.Deserialize<RecentTimes>($"[{string.Join(',', Enumerable.Range(1, RecentTimes.Capacity))}]")!;
        Assert.Equal(RecentTimes.Capacity, full.Count);
        full.Add(999);
        Assert.False(full.Contains(1));
        Assert.Equal(2, full.InOrder().First());
    }
}
