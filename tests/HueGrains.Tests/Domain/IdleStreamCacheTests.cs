using HueGrains.Grains;

namespace HueGrains.Tests.Domain;

public class IdleStreamCacheTests
{
    [Fact]
    public void An_event_leaves_the_cache_behind_newer_ones_as_in_Orleans_or_alone_once_cached_longer_than_the_max_age()
    {
        var purge = new IdlePurgePredicate(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
        Assert.True(purge.ShouldPurgeFromTime(TimeSpan.FromSeconds(11), relativeAge: TimeSpan.FromSeconds(61)));
        Assert.False(purge.ShouldPurgeFromTime(TimeSpan.FromSeconds(5), relativeAge: TimeSpan.FromSeconds(61)));
        Assert.False(purge.ShouldPurgeFromTime(TimeSpan.FromSeconds(59), relativeAge: TimeSpan.Zero));
        Assert.True(purge.ShouldPurgeFromTime(TimeSpan.FromSeconds(61), relativeAge: TimeSpan.Zero));
    }

    [Fact]
    public void The_block_pool_reuses_freed_blocks_but_keeps_only_its_spares()
    {
        var pool = new SparePool(spares: 2);
        var blocks = Enumerable.Range(0, 5).Select(_ => pool.Allocate()).ToList();
        foreach (var block in blocks) block.Dispose(); // a purged block goes back to its pool
        Assert.Equal(2, pool.Spares);
        var reused = pool.Allocate();
        Assert.Contains(reused, blocks);
        Assert.Equal(1, pool.Spares);
        Assert.True(reused.TryGetSegment(SparePool.BlockBytes, out _));
    }
}
