using HueGrains.Persistence;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace HueGrains.IntegrationTests;

/// <summary>The cap on the places a citizen watches holds on PostgreSQL when the adds race (deploy/sql/013).</summary>
[Collection(PostgresCollection.Name)]
public class PlaceCapTests(PostgresServer postgres)
{
    private const int Cap = 10;
    private const int Concurrent = 20;

    [Fact]
    public async Task Twenty_concurrent_adds_by_one_citizen_store_exactly_the_cap_and_never_more()
    {
        var db = await postgres.CreateDatabaseAsync();
        await HueDatabase.MigrateAsync(db, NullLogger.Instance, CancellationToken.None);
        await using var source = NpgsqlDataSource.Create(db);
        var store = new PostgresNotificationStore(source);

        // Open the connections first, so the adds reach PostgreSQL together rather than one connection setup apart.
        var warm = await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(_ => source.OpenConnectionAsync().AsTask()));
        foreach (var connection in warm) await connection.DisposeAsync();

        for (var round = 0; round < 5; round++)
        {
            var citizen = $"c-{Guid.NewGuid():N}";
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var adds = Enumerable.Range(0, Concurrent).Select(i => Task.Run(async () =>
            {
                await go.Task;
                var place = new CitizenPlace($"pl-{round}-{i}-{Guid.NewGuid():N}", $"Nơi {i}", 16.46, 107.57, 500, DateTimeOffset.UtcNow);
                return await store.AddPlaceAsync(citizen, place, Cap, CancellationToken.None);
            })).ToList();
            go.SetResult();
            var added = await Task.WhenAll(adds);

            Assert.Equal(Cap, (await store.PlacesAsync(citizen, CancellationToken.None)).Count);
            Assert.Equal(Cap, added.Count(a => a));
        }
    }
}
