using Npgsql;
using NpgsqlTypes;

namespace HueGrains.Bench;

[Alias("bench.IPingGrain")]
public interface IPingGrain : IGrainWithIntegerKey
{
    [Alias("Ping")]
    Task<int> Ping(int value);
}

/// <summary>The trivial grain of the Orleans ceiling: no state, no work.</summary>
public sealed class PingGrain : Grain, IPingGrain
{
    public Task<int> Ping(int value) => Task.FromResult(value);
}

/// <summary>The COPY ceiling: what PostgreSQL stores with no platform in front of it (the bench's own Npgsql connection).</summary>
public static class Ceilings
{
    /// <summary>Rows stored in <paramref name="duration"/>, 10,000 rows per COPY.</summary>
    public static async Task<long> CopyAsync(string db, TimeSpan duration)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand(
            "DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (sensor_id text, at timestamptz, value double precision, PRIMARY KEY (sensor_id, at)) " +
            "WITH (autovacuum_enabled = false)", connection))
            await create.ExecuteNonQueryAsync();
        var start = DateTimeOffset.UtcNow;
        long rows = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            await using var copy = await connection.BeginBinaryImportAsync("COPY bench_copy (sensor_id, at, value) FROM STDIN (FORMAT BINARY)");
            for (var i = 0; i < 10_000; i++, rows++)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync($"s-{rows % 20_000}", NpgsqlDbType.Text);
                await copy.WriteAsync(start.AddMilliseconds(rows), NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(1.5, NpgsqlDbType.Double);
            }
            await copy.CompleteAsync();
        }
        // The loads measured next must not pay for this table: its dirty pages, its vacuum, the checkpoint its WAL calls for.
        await using (var drop = new NpgsqlCommand("DROP TABLE bench_copy; CHECKPOINT", connection)) await drop.ExecuteNonQueryAsync();
        return rows;
    }
}

public static class Http
{
    public static HttpClient Client(string baseAddress) => new(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = new Uri(baseAddress),
        Timeout = TimeSpan.FromSeconds(30),
    };
}
