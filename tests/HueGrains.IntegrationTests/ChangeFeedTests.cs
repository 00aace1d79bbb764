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

    [Fact]
    public async Task A_reader_of_a_few_types_reads_only_those_changes_not_every_change_after_its_cursor()
    {
        var database = await postgres.CreateDatabaseAsync();
        await HueDatabase.MigrateAsync(database, NullLogger.Instance, CancellationToken.None);
        await using var source = NpgsqlDataSource.Create(database);
        // The notification fan-out's view of a busy city: its cursor stays before 50,000 indicator changes while no
        // alert or report comes.
        await using (var fill = source.CreateCommand("""
            SELECT hue_append_change('alert', 'a-1', '19774', 1, '{}');
            INSERT INTO hue_changes (position, type, entity_id, commune, version, at, data)
                SELECT nextval('hue_change_position'), 'commune', '19774', '19774', g, now(), '{}' FROM generate_series(1, 25000) g;
            SELECT hue_append_change('feedback', 'f-1', '19774', 1, '{}');
            INSERT INTO hue_changes (position, type, entity_id, commune, version, at, data)
                SELECT nextval('hue_change_position'), 'city', 'hue', NULL, g, now(), '{}' FROM generate_series(1, 25000) g;
            SELECT hue_append_change('alert', 'a-2', '19774', 2, '{}');
            ANALYZE hue_changes;
            """))
            await fill.ExecuteNonQueryAsync();
        var query = new ChangeQuery(0, [ChangeTypes.Alert, ChangeTypes.Feedback], null, 100, null);

        var page = await new PostgresChangeFeed(source).ReadAsync(query, CancellationToken.None);
        Assert.Equal(["a-1", "f-1", "a-2"], page.Items.Select(c => c.EntityId));

        await using var connection = await source.OpenConnectionAsync();
        await using var explain = PostgresChangeFeed.PageCommand(query, connection);
        explain.CommandText = "EXPLAIN (ANALYZE, FORMAT JSON) " + explain.CommandText;
        using var plan = System.Text.Json.JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        Assert.InRange(RowsScanned(plan.RootElement[0].GetProperty("Plan")), 3, 10);

        // Rows every scan in the plan read: those it returned and those its filter threw away.
        static double RowsScanned(System.Text.Json.JsonElement node)
        {
            var own = node.GetProperty("Node Type").GetString()!.EndsWith("Scan", StringComparison.Ordinal)
                ? node.GetProperty("Actual Rows").GetDouble() * node.GetProperty("Actual Loops").GetDouble()
                  + (node.TryGetProperty("Rows Removed by Filter", out var removed) ? removed.GetDouble() : 0)
                : 0;
            return own + (node.TryGetProperty("Plans", out var children) ? children.EnumerateArray().Sum(RowsScanned) : 0);
        }
    }
}
