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
/// 1 MB blocks) until the next event; and its block pool keeps every block the busiest moment needed, for good. Here an event
/// also leaves once it has been cached that long, and the pool keeps only a few spare blocks. What stays is Orleans' own
/// floor: each queue that has carried events keeps the 1 MB block it writes into and a 1 MB message index.
/// </summary>
public sealed class IdleStreamAdapterFactory(string name, StreamCacheEvictionOptions cacheOptions, StreamStatisticOptions statisticOptions,
    HashRingStreamQueueMapperOptions queueMapperOptions, IServiceProvider services, IGrainFactory grainFactory, ILoggerFactory loggerFactory)
    : MemoryAdapterFactory<DefaultMemoryMessageBodySerializer>(name, cacheOptions, statisticOptions, queueMapperOptions, services, grainFactory, loggerFactory),
        IQueueAdapterCache
{
    private readonly DefaultMemoryMessageBodySerializer _serializer = ActivatorUtilities.GetServiceOrCreateInstance<DefaultMemoryMessageBodySerializer>(services);
    private readonly SparePool _blocks = new(SpareBlocks);
    private readonly IdlePurgePredicate _purge = new(cacheOptions.DataMinTimeInCache, cacheOptions.DataMaxAgeInCache);
    private readonly TimeSpan? _metadataMinTime = cacheOptions.MetadataMinTimeInCache;
    private readonly ILoggerFactory _loggers = loggerFactory;

    /// <summary>Free 1 MB blocks kept per provider; the rest of a burst's blocks go back to the collector.</summary>
    public const int SpareBlocks = 2;

    // Re-implements the interface, so the base's GetQueueAdapterCache (which returns this) creates our caches.
    IQueueCache IQueueAdapterCache.CreateQueueCache(QueueId queueId) => new MemoryPooledCache<DefaultMemoryMessageBodySerializer>(_blocks, _purge,
        _loggers.CreateLogger($"{typeof(MemoryPooledCache<>).FullName}.{Name}.{queueId}"), _serializer, cacheMonitor: null,
        monitorWriteInterval: null, _metadataMinTime);

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

/// <summary>A pool of 1 MB stream blocks (Orleans' size) that keeps at most <paramref name="spares"/> free ones.</summary>
public sealed class SparePool(int spares) : IObjectPool<FixedSizeBuffer>
{
    public const int BlockBytes = 1 << 20;
    private readonly Stack<FixedSizeBuffer> _free = new();

    public int Spares
    {
        get { lock (_free) return _free.Count; }
    }

    public FixedSizeBuffer Allocate()
    {
        FixedSizeBuffer? block;
        lock (_free) _free.TryPop(out block);
        block ??= new FixedSizeBuffer(BlockBytes);
        block.Pool = this;
        return block;
    }

    public void Free(FixedSizeBuffer resource)
    {
        lock (_free)
            if (_free.Count < spares) _free.Push(resource);
    }
}

/// <summary>Memory streams served by <see cref="IdleStreamAdapterFactory"/>.</summary>
public sealed class IdleStreamConfigurator : SiloRecoverableStreamConfigurator, ISiloMemoryStreamConfigurator
{
    public IdleStreamConfigurator(string name, Action<Action<IServiceCollection>> configureServices)
        : base(name, configureServices, IdleStreamAdapterFactory.Create) =>
        ConfigureDelegate(services => services.ConfigureNamedOptionForLogging<HashRingStreamQueueMapperOptions>(name));
}
