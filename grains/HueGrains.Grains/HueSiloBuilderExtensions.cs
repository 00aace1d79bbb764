using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

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
        silo.Services.AddSingleton<SensorOutbox>();
        silo.Services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<SensorOutbox>());
        return silo;
    }

    /// <summary>
    /// How often stream pulling agents look for new events. Orleans' default (100 ms) would dominate the freshness of
    /// indicators: a reading crosses two streams on its way to the city.
    /// </summary>
    public static readonly TimeSpan StreamPollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>The embedded default: everything in memory, nothing to install.</summary>
    public static ISiloBuilder AddHueInMemoryProviders(this ISiloBuilder silo) => silo
        .AddMemoryGrainStorage("hue")
        .AddMemoryGrainStorage("PubSubStore")
        .AddMemoryStreams(HueStreams.Provider, streams => streams.ConfigurePullingAgent(agent =>
            agent.Configure(o => o.GetQueueMsgsTimerPeriod = StreamPollInterval)));
}
