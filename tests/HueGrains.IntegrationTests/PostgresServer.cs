using HueGrains.Testing;

namespace HueGrains.IntegrationTests;

/// <summary>One throwaway PostgreSQL for the whole test run (see <see cref="ThrowawayPostgres"/>).</summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public ThrowawayPostgres Server { get; } = new();

    public int Port => Server.Port;

    public Task InitializeAsync() => Server.StartNewAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public Task<string> CreateDatabaseAsync() => Server.CreateDatabaseAsync();

    public Task StartAsync() => Server.StartAsync();

    public Task StopAsync() => Server.StopAsync();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
