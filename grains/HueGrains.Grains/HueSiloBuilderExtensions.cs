using HueGrains.Grains.Domain;
using HueGrains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.Streams;

namespace HueGrains.Grains;

public static class HueSiloBuilderExtensions
{
    /// <summary>
    /// The grains' own services. Storage named "hue", the "PubSubStore" and the "hue" stream provider are the host's
    /// choice (memory in the embedded default, PostgreSQL when configured).
    /// </summary>
    public static ISiloBuilder AddHueGrains(this ISiloBuilder silo)
    {
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddKeyedSingleton(HueTime.Key, TimeProvider.System);
        silo.Services.AddMetrics();
        silo.Services.TryAddSingleton<HueMetrics>();
        silo.Services.AddSingleton<SensorOutbox>();
        silo.Services.AddSingleton<SensorServices>();
        silo.Services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<SensorOutbox>());
        silo.Services.AddOptions<HistoryOptions>().BindConfiguration(HistoryOptions.Section)
            .Validate(Valid, "Hue:History has a value out of range.")
            .ValidateOnStart();
        silo.Services.TryAddSingleton<IReadingJournal, MemoryReadingJournal>();
        silo.Services.TryAddSingleton<IIndicatorStore, MemoryIndicatorStore>();
        silo.Services.TryAddSingleton<IBoundaryStore, MemoryBoundaryStore>();
        silo.Services.AddSingleton<Geo.CommuneLocator>();
        silo.Services.AddOptions<CommuneOptions>().BindConfiguration(CommuneOptions.Section).Validate(Valid, "Hue:Communes has a value out of range.").ValidateOnStart();
        silo.Services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).Validate(Valid, "Hue:Ingest has a value out of range.").ValidateOnStart();
        silo.Services.AddOptions<QuotaOptions>().BindConfiguration(QuotaOptions.Section).Validate(Valid, "Hue:Quotas has a value out of range.").ValidateOnStart();
        silo.Services.AddOptions<GrainOptions>().BindConfiguration(GrainOptions.Section).Validate(Valid, "Hue:Grains has a value out of range.").ValidateOnStart();
        // Where recently called grains live is cached per silo; the default (a million entries) keeps an entry for every
        // dossier and report ever touched long after it left memory. The hot set of a city is far smaller.
        // An entry also expires (Orleans' default: 4 min after its last use) within a collection age: by then its activation
        // is likely gone, and a quiet silo should not hold the addresses of the grains its busy hour used.
        silo.Services.AddOptions<GrainDirectoryOptions>().Configure<Microsoft.Extensions.Options.IOptions<GrainOptions>>((directory, grains) =>
        {
            directory.CacheSize = 10_000;
            directory.MaximumCacheTTL = TimeSpan.FromTicks(Math.Min(directory.MaximumCacheTTL.Ticks, grains.Value.CollectionAge.Ticks));
        });
        silo.Services.AddHostedService<IdleMemoryTrim>();
        silo.Services.AddOptions<ChangeOptions>().BindConfiguration(ChangeOptions.Section).Validate(Valid, "Hue:Changes has a value out of range.").ValidateOnStart();
        silo.Services.AddHostedService<Retention>();
        silo.Services.AddOptions<SubscriptionOptions>().BindConfiguration(SubscriptionOptions.Section)
            .Validate(Valid, "Hue:Subscriptions has a value out of range.").ValidateOnStart();
        silo.Services.TryAddSingleton<WebhookSender>();
        silo.Services.AddHostedService<SubscriptionWaker>();
        silo.Services.AddOptions<NationalSyncOptions>().BindConfiguration(NationalSyncOptions.Section);
        silo.Services.AddOptions<GrainCollectionOptions>().Configure<Microsoft.Extensions.Options.IOptions<GrainOptions>>(
            (collection, grains) =>
            {
                collection.CollectionAge = grains.Value.CollectionAge;
                // Orleans checks idleness every quantum (1 min) and wants the age longer than it.
                collection.CollectionQuantum = TimeSpan.FromTicks(Math.Min(collection.CollectionQuantum.Ticks, grains.Value.CollectionAge.Ticks / 2));
            });
        // An unregistered reminder stays in the silo's reminder list, as a tombstone, until the list is next read from
        // the table (Orleans' default: every 5 min): so that closed dossiers leave memory with the idle grains, the list
        // is read at least once per collection age.
        silo.Services.AddOptions<ReminderOptions>().Configure<Microsoft.Extensions.Options.IOptions<GrainOptions>>(
            (reminders, grains) => reminders.RefreshReminderListPeriod = TimeSpan.FromTicks(Math.Min(reminders.RefreshReminderListPeriod.Ticks, grains.Value.CollectionAge.Ticks)));
        silo.Services.AddOptions<CalendarOptions>().BindConfiguration(CalendarOptions.Section);
        silo.Services.TryAddSingleton(sp => WorkingCalendar.From(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<CalendarOptions>>().Value));
        silo.Services.AddOptions<FeedbackOptions>().BindConfiguration(FeedbackOptions.Section)
            .Validate(Valid, "Hue:Feedback has a value out of range.")
            .ValidateOnStart();
        silo.Services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section)
            .Validate(Valid, "Hue:Notifications has a value out of range.").ValidateOnStart();
        silo.Services.AddHostedService<NotificationFanOut>();
        return silo;
    }

    private static bool Valid<T>(T options) where T : class =>
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), null, true);

    /// <summary>
    /// How often stream pulling agents look for new events. Orleans' default (100 ms) would dominate the freshness of
    /// indicators: a reading crosses two streams on its way to the city.
    /// </summary>
    public static readonly TimeSpan StreamPollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Durable and clustered on PostgreSQL: grain state ("hue", System.Text.Json), membership and reminders through the
    /// Orleans ADO.NET providers on the project's own schema, and the reading history written by the silo's journal.
    /// Streams stay in memory: their events are derived and reconcile repairs any that a failing silo loses.
    /// </summary>
    public static ISiloBuilder AddHuePostgres(this ISiloBuilder silo, string connectionString)
    {
        silo.Services.AddHuePersistence(connectionString);

        return silo
            .UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (HueDatabase.Invariant, connectionString))
            .AddAdoNetGrainStorage("hue", o => (o.Invariant, o.ConnectionString) = (HueDatabase.Invariant, connectionString))
            .UseSystemTextJsonGrainStorageSerializer()
            .UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = (HueDatabase.Invariant, connectionString))
            .AddMemoryGrainStorage("PubSubStore")
            .AddHueMemoryStreams()
            .Configure<ClusterMembershipOptions>(FastFailureDetection);
    }

    /// <summary>
    /// Declares a crashed silo dead in about 5 s instead of Orleans' 10–15 s: probes time out after 1 s, two missed probes
    /// make a suspicion, and one vote suffices (a two-silo cluster has only one voter). Table refresh every 2 s.
    /// </summary>
    public static void FastFailureDetection(ClusterMembershipOptions o)
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(1);
        o.NumMissedProbesLimit = 2;
        o.NumVotesForDeathDeclaration = 1;
        o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
        o.DefunctSiloCleanupPeriod = TimeSpan.FromHours(1);
        o.DefunctSiloExpiration = TimeSpan.FromHours(2);
    }

    /// <summary>
    /// How long the entity streams' queue cache keeps an event after newer ones came: their consumers (communes, the
    /// city) read events within milliseconds, and one that fell further behind is repaired by its reconcile. The cache
    /// holds the events of this long, so it is what an active city pays in memory for its event rate (it was 1 min).
    /// The alerts stream keeps 1 min: its consumers (the MQTT edges' alert forwards, key changes) have no reconcile.
    /// </summary>
    public static readonly TimeSpan StreamCacheMaxAge = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Queues of the alerts provider, on every silo and client (a publisher hashes a stream to one of them). Alerts and key
    /// changes are rare: two queues polled every <see cref="AlertPollInterval"/> instead of Orleans' eight every
    /// <see cref="StreamPollInterval"/>, because each poll is a timer tick and a grain call, even on an idle silo (which
    /// used 13% of a core, mostly for the agents' 800 polls a second; 1.7% less with these 20). A queue's grain id
    /// depends on the count: while silos with another count run (a rolling upgrade), alerts and key changes they publish
    /// may go unpolled, so change it with a whole-cluster restart.
    /// </summary>
    public const int AlertQueues = 2;

    /// <summary>How often the alerts provider's agents poll: an alert's way to inboxes and MQTT subscribers has seconds.</summary>
    public static readonly TimeSpan AlertPollInterval = TimeSpan.FromMilliseconds(100);

    private static ISiloBuilder AddHueMemoryStreams(this ISiloBuilder silo) => silo
        .AddHueMemoryStreams(HueStreams.Provider, StreamPubSubType.ImplicitOnly, StreamCacheMaxAge, HashRingStreamQueueMapperOptions.DEFAULT_NUM_QUEUES, StreamPollInterval)
        .AddHueMemoryStreams(HueStreams.AlertsProvider, StreamPubSubType.ExplicitGrainBasedAndImplicit, TimeSpan.FromMinutes(1), AlertQueues, AlertPollInterval);

    /// <summary>
    /// Memory streams, polled often. Their events are derived and never replayed, so the queue cache keeps a delivered
    /// event for seconds, not Orleans' default half hour (which held every entity event of a busy half hour in memory).
    /// </summary>
    private static ISiloBuilder AddHueMemoryStreams(this ISiloBuilder silo, string name, StreamPubSubType pubSub, TimeSpan maxAge, int queues,
        TimeSpan pollInterval)
    {
        // AddMemoryStreams, with queue caches that empty when the traffic stops (IdleStreamAdapterFactory).
        var streams = new IdleStreamConfigurator(name, configure => silo.ConfigureServices(configure));
        streams.ConfigureStreamPubSub(pubSub);
        streams.ConfigurePartitioning(queues);
        streams.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = pollInterval));
        streams.ConfigureCacheEviction(cache => cache.Configure(o =>
        {
            o.DataMinTimeInCache = TimeSpan.FromSeconds(10);
            o.DataMaxAgeInCache = maxAge;
            o.MetadataMinTimeInCache = TimeSpan.FromSeconds(30);
        }));
        return silo;
    }

    /// <summary>The embedded default: everything in memory, nothing to install.</summary>
    public static ISiloBuilder AddHueInMemoryProviders(this ISiloBuilder silo)
    {
        // "hue" is memory storage that also writes each entity's projection row, as the trigger does in PostgreSQL.
        silo.AddMemoryGrainStorage(MemoryStateStorage);
        silo.Services.AddOptions<MemoryGrainStorageOptions>(MemoryStateStorage)
            .Configure<Orleans.Serialization.Serializer>((o, serializer) => o.GrainStorageSerializer = new CompactStateSerializer(serializer));
        silo.Services.AddSingleton<MemoryProjectionStore>();
        silo.Services.AddSingleton<IProjectionStore>(sp => sp.GetRequiredService<MemoryProjectionStore>());
        silo.Services.AddSingleton<IAccessLog>(sp => sp.GetRequiredService<MemoryProjectionStore>());
        silo.Services.AddSingleton<IChangeFeed>(sp => sp.GetRequiredService<MemoryProjectionStore>());
        silo.Services.AddSingleton<IPhotoStore, MemoryPhotoStore>();
        silo.Services.AddSingleton<INotificationStore, MemoryNotificationStore>();
        silo.Services.AddKeyedSingleton<IGrainStorage>("hue", (sp, _) => new ProjectingGrainStorage(
            sp.GetRequiredKeyedService<IGrainStorage>(MemoryStateStorage), sp.GetRequiredService<MemoryProjectionStore>()));
        return silo
            .AddMemoryGrainStorage("PubSubStore")
            .AddHueMemoryStreams()
            .UseInMemoryReminderService();
    }

    private const string MemoryStateStorage = "hue-memory";
}
