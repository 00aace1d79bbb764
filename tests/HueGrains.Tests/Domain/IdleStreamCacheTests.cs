using HueGrains.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Providers;
using Orleans.Providers.Streams.Common;
using Orleans.Serialization;

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
        var pool = new SparePool<FixedSizeBuffer>(spares: 2, () => new FixedSizeBuffer(IdleStreamAdapterFactory.BufferBytes));
        var blocks = Enumerable.Range(0, 5).Select(_ => pool.Allocate()).ToList();
        foreach (var block in blocks) block.Dispose(); // a purged block goes back to its pool
        Assert.Equal(2, pool.Spares);
        var reused = pool.Allocate();
        Assert.Contains(reused, blocks);
        Assert.Equal(1, pool.Spares);
        Assert.True(reused.TryGetSegment(IdleStreamAdapterFactory.BufferBytes, out _));
    }

    [Fact]
    public void A_queue_message_index_grows_in_small_blocks_and_keeps_one_spare_once_its_events_are_purged()
    {
        var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = ActivatorUtilities.CreateInstance<DefaultMemoryMessageBodySerializer>(services);
        var buffers = new SparePool<FixedSizeBuffer>(spares: 2, () => new FixedSizeBuffer(IdleStreamAdapterFactory.BufferBytes));
        var memoryCache = new MemoryPooledCache<DefaultMemoryMessageBodySerializer>(buffers, new IdlePurgePredicate(TimeSpan.Zero, TimeSpan.Zero),
            NullLogger.Instance, serializer, cacheMonitor: null, monitorWriteInterval: null, purgeMetadataInterval: null);
        Assert.True(MessageIndex.UsePool(memoryCache, NewIndexPool()), "the Orleans queue cache no longer has the fields MessageIndex replaces");

        var queue = new PooledQueueCache(memoryCache, NullLogger.Instance, cacheMonitor: null, cacheMonitorWriteInterval: null);
        var index = NewIndexPool();
        Assert.True(MessageIndex.UsePool(queue, index));
        var stream = StreamId.Create("hue", "19774");
        var now = DateTime.UtcNow;
        queue.Add([.. Enumerable.Range(0, 5_000).Select(i => new CachedMessage
        {
            StreamId = stream, SequenceNumber = i, EnqueueTimeUtc = now, DequeueTimeUtc = now, Segment = new ArraySegment<byte>(new byte[8]),
        })], now);
        Assert.Equal(5, index.Allocated); // 5,000 entries in blocks of 1,024, where Orleans' own pool would hold one of 16,384

        for (var i = 0; i < 5_000; i++) queue.RemoveOldestMessage();
        Assert.True(queue.IsEmpty);
        Assert.Equal(1, index.Spares); // of the four full blocks freed, one is kept; the current one stays in the queue
    }

    private static SparePool<CachedMessageBlock> NewIndexPool() =>
        new(spares: 1, () => new CachedMessageBlock(IdleStreamAdapterFactory.MessagesPerIndexBlock));
}
