using System.Collections.Concurrent;
using HueGrains.Persistence;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace HueGrains.IntegrationTests;

/// <summary>The change feed in PostgreSQL: a reader following the cursor never skips a change that commits late.</summary>
[Collection(PostgresCollection.Name)]
public class ChangeFeedTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_reader_following_the_cursor_sees_every_change_even_when_transactions_commit_out_of_order()
    {
        var database = await postgres.CreateDatabaseAsync();
        await HueDatabase.MigrateAsync(database, NullLogger.Instance, CancellationToken.None);
        await using var source = NpgsqlDataSource.Create(database);
        var feed = new PostgresChangeFeed(source);
        const int writers = 8, perWriter = 40;
        var committed = new ConcurrentBag<string>();

        // Each writer appends inside a transaction that stays open a random while: positions are taken in one order
        // and committed in another, which is when a reader that trusts positions alone skips one.
        async Task WriteAsync(int writer)
        {
            for (var i = 0; i < perWriter; i++)
            {
                await using var connection = await source.OpenConnectionAsync();
                await using var tx = await connection.BeginTransactionAsync();
                var id = $"w{writer}-{i}";
                await using (var append = new NpgsqlCommand("SELECT hue_append_change('alert', $1, '19774', 1, '{}'::jsonb)", connection, tx))
                {
                    append.Parameters.Add(new NpgsqlParameter { Value = id });
                    await append.ExecuteScalarAsync();
                }
                await using (var wait = new NpgsqlCommand($"SELECT pg_sleep({Random.Shared.Next(0, 8) / 1000.0:0.000})", connection, tx))
                    await wait.ExecuteNonQueryAsync();
                await tx.CommitAsync();
                committed.Add(id);
            }
        }

        var writing = Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(w))));
        var seen = new List<string>();
        long after = 0;
        while (true)
        {
            var done = writing.IsCompleted;
            var page = await feed.ReadAsync(new ChangeQuery(after, null, null, 100, null), CancellationToken.None);
            foreach (var change in page.Items)
            {
                Assert.True(change.Position > after);
                seen.Add(change.EntityId);
                after = change.Position;
            }
            if (done && page.Items.Count == 0) break;
        }
        await writing;

        Assert.Equal(writers * perWriter, committed.Count);
        Assert.Equal(committed.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }
}
