using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Providers;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace HueGrains.Grains;

/// <summary>
/// Orleans' memory streams whose queue caches let go when the traffic stops. Orleans purges a cached event only once it is
/// older than the newest by <c>DataMaxAgeInCache</c>, so a queue that goes quiet keeps its last minute of events (several
/// 1 MB blocks) until the next event; and its block pools keep every block the busiest moment needed, for good. Here an event
/// also leaves once it has been cached that long, the pools keep only a few spare blocks, and a queue's message index grows
/// in 64 KB blocks instead of 1 MB ones. What stays once a queue is quiet is its current 64 KB index block.
/// </summary>
public sealed class IdleStreamAdapterFactory(string name, StreamCacheEvictionOptions cacheOptions, StreamStatisticOptions statisticOptions,
    HashRingStreamQueueMapperOptions queueMapperOptions, IServiceProvider services, IGrainFactory grainFactory, ILoggerFactory loggerFactory)
    : MemoryAdapterFactory<DefaultMemoryMessageBodySerializer>(name, cacheOptions, statisticOptions, queueMapperOptions, services, grainFactory, loggerFactory),
        IQueueAdapterCache
{
    private readonly DefaultMemoryMessageBodySerializer _serializer = ActivatorUtilities.GetServiceOrCreateInstance<DefaultMemoryMessageBodySerializer>(services);
    private readonly SparePool<FixedSizeBuffer> _blocks = new(SpareBlocks, () => new FixedSizeBuffer(BufferBytes));
    private readonly IdlePurgePredicate _purge = new(cacheOptions.DataMinTimeInCache, cacheOptions.DataMaxAgeInCache);
    private readonly TimeSpan? _metadataMinTime = cacheOptions.MetadataMinTimeInCache;
    private readonly ILoggerFactory _loggers = loggerFactory;

    /// <summary>Free 1 MB blocks kept per provider; the rest of a burst's blocks go back to the collector.</summary>
    public const int SpareBlocks = 2;

    /// <summary>Orleans' size of the blocks that hold the events' bytes (an event must fit in one).</summary>
    public const int BufferBytes = 1 << 20;

    /// <summary>Entries per block of a queue's message index: 64 KB (Orleans uses 16,384, 1 MB, kept for good per queue).</summary>
    public const int MessagesPerIndexBlock = 1024;

    // Re-implements the interface, so the base's GetQueueAdapterCache (which returns this) creates our caches.
    IQueueCache IQueueAdapterCache.CreateQueueCache(QueueId queueId)
    {
        var logger = _loggers.CreateLogger($"{typeof(MemoryPooledCache<>).FullName}.{Name}.{queueId}");
        var cache = new MemoryPooledCache<DefaultMemoryMessageBodySerializer>(_blocks, _purge, logger, _serializer, cacheMonitor: null,
            monitorWriteInterval: null, _metadataMinTime);
        // One pool per queue: Orleans frees an index block before unlinking it, so a pool shared between queues could hand
        // it to another queue's list in between.
        if (!MessageIndex.UsePool(cache, new SparePool<CachedMessageBlock>(spares: 1, () => new CachedMessageBlock(MessagesPerIndexBlock))))
            logger.LogWarning("This Orleans version's queue cache has another shape: its message index keeps Orleans' 1 MB blocks");
        return cache;
    }

    public static new IdleStreamAdapterFactory Create(IServiceProvider services, string name)
    {
        var factory = ActivatorUtilities.CreateInstance<IdleStreamAdapterFactory>(services, name,
            services.GetOptionsByName<StreamCacheEvictionOptions>(name), services.GetOptionsByName<StreamStatisticOptions>(name),
            services.GetOptionsByName<HashRingStreamQueueMapperOptions>(name));
        factory.Init();
        return factory;
    }

}

/// <summary>Orleans' rule (older than the newest by the max age, once past the min time), or cached longer than both.</summary>
public sealed class IdlePurgePredicate(TimeSpan minTimeInCache, TimeSpan maxAge) : TimePurgePredicate(minTimeInCache, maxAge)
{
    private readonly TimeSpan _longest = minTimeInCache > maxAge ? minTimeInCache : maxAge;

    public override bool ShouldPurgeFromTime(TimeSpan timeInCache, TimeSpan relativeAge) =>
        base.ShouldPurgeFromTime(timeInCache, relativeAge) || timeInCache > _longest;
}

/// <summary>A pool of stream cache blocks that keeps at most <paramref name="spares"/> free ones.</summary>
public sealed class SparePool<T>(int spares, Func<T> create) : IObjectPool<T> where T : PooledResource<T>
{
    private readonly Stack<T> _free = new();

    public int Spares
    {
        get { lock (_free) return _free.Count; }
    }

    public int Allocated { get; private set; }

    public T Allocate()
    {
        T? block;
        lock (_free) _free.TryPop(out block);
        if (block is null)
        {
            block = create();
            Allocated++;
        }
        block.Pool = this;
        return block;
    }

    public void Free(T resource)
    {
        lock (_free)
            if (_free.Count < spares) _free.Push(resource);
    }
}

/// <summary>
/// Gives a memory queue cache's message index (Orleans' internal <c>CachedMessagePool</c>, which has no option for its block
/// size or pool) our pool instead. Orleans 10.4 fields, read once per queue; false when they are not there.
/// </summary>
public static class MessageIndex
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;
    private static readonly FieldInfo? Cache = typeof(MemoryPooledCache<DefaultMemoryMessageBodySerializer>).GetField("cache", Private);
    private static readonly FieldInfo? Index = typeof(PooledQueueCache).GetField("pool", Private);
    private static readonly FieldInfo? IndexPool = Index?.FieldType.GetField("messagePool", Private);

    public static bool UsePool(MemoryPooledCache<DefaultMemoryMessageBodySerializer> cache, IObjectPool<CachedMessageBlock> pool) =>
        Cache?.GetValue(cache) is PooledQueueCache queue && UsePool(queue, pool);

    public static bool UsePool(PooledQueueCache queue, IObjectPool<CachedMessageBlock> pool)
    {
        if (IndexPool?.FieldType != typeof(IObjectPool<CachedMessageBlock>) || Index!.GetValue(queue) is not { } index)
            return false;
        IndexPool.SetValue(index, pool);
        return true;
    }
}

/// <summary>Memory streams served by <see cref="IdleStreamAdapterFactory"/>.</summary>
public sealed class IdleStreamConfigurator : SiloRecoverableStreamConfigurator, ISiloMemoryStreamConfigurator
{
    public IdleStreamConfigurator(string name, Action<Action<IServiceCollection>> configureServices)
        : base(name, configureServices, IdleStreamAdapterFactory.Create) =>
        ConfigureDelegate(services => services.ConfigureNamedOptionForLogging<HashRingStreamQueueMapperOptions>(name));
}
