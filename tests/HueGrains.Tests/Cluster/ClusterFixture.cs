using HueGrains.Grains;
using Orleans.Streams;
using Orleans.TestingHost;

namespace HueGrains.Tests.Cluster;

/// <summary>Two silos in this process, memory providers as in the embedded default, shared by the collection.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo.AddHueInMemoryProviders().AddHueGrains());
        builder.ConfigureClient(client => client.AddMemoryStreams(HueStreams.Provider, s => s.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly)));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
