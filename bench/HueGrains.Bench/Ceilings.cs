using System.Net;
using HueGrains.Testing;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
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

/// <summary>W0: what the engine, the database, the web server and the broker sustain with no work behind them.</summary>
public static class Ceilings
{
    public static async Task RunAsync(Report report, BenchSettings settings, ThrowawayPostgres postgres)
    {
        Console.WriteLine("W0 ceilings");
        report.Add("W0", "Orleans grain calls in-process (10,000 keys, 1,000 in flight)", await settings.RepeatAsync(OrleansAsync), "calls/s");
        var db = await postgres.CreateDatabaseAsync();
        report.Add("W0", "PostgreSQL binary COPY into a keyed table", await settings.RepeatAsync(d => CopyAsync(db, d)), "rows/s");
        report.Add("W0", "Kestrel trivial JSON POST (64 in flight)", await settings.RepeatAsync(KestrelAsync), "requests/s");
        report.Add("W0", "MQTTnet broker QoS 1, no work (32 clients)", await settings.RepeatAsync(MqttAsync), "messages/s");
    }

    private static async Task<double> OrleansAsync(TimeSpan duration)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(ThrowawayPostgres.FreePort(), ThrowawayPostgres.FreePort()));
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var result = await Load.RunAsync(duration, 1000, async (w, n) => await grains.GetGrain<IPingGrain>((w * 7919 + n) % 10_000).Ping(1));
        await host.StopAsync();
        return result.UnitsPerSecond;
    }

    private static async Task<double> CopyAsync(string db, TimeSpan duration)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand(
            "DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (sensor_id text, at timestamptz, value double precision, PRIMARY KEY (sensor_id, at))", connection))
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
        return rows / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> KestrelAsync(TimeSpan duration)
    {
        var port = ThrowawayPostgres.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var app = builder.Build();
        app.MapPost("/", (Probe probe) => TypedResults.Ok(probe));
        await app.StartAsync();
        using var http = Http.Client($"http://127.0.0.1:{port}");
        var result = await Load.RunAsync(duration, 64, async (_, _) =>
        {
            using var response = await http.PostAsJsonAsync("/", new Probe(1.5));
            return response.IsSuccessStatusCode ? 1 : 0;
        });
        await app.StopAsync();
        return result.UnitsPerSecond;
    }

    private static async Task<double> MqttAsync(TimeSpan duration)
    {
        var port = ThrowawayPostgres.FreePort();
        var options = new MqttServerFactory().CreateServerOptionsBuilder().WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port).Build();
        using var server = new MqttServerFactory().CreateMqttServer(options);
        await server.StartAsync();
        var clients = await Task.WhenAll(Enumerable.Range(0, 32).Select(async i =>
        {
            var client = new MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId($"bench-{i}").Build());
            return client;
        }));
        var result = await Load.RunAsync(duration, clients.Length, async (w, _) =>
        {
            var published = await clients[w].PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"bench/{w}")
                .WithPayload("{\"value\":1.5}"u8.ToArray()).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            return published.IsSuccess || published.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers ? 1 : 0;
        });
        foreach (var client in clients) client.Dispose();
        await server.StopAsync();
        return result.UnitsPerSecond;
    }

    private sealed record Probe(double Value);
}

public static class Http
{
    public static HttpClient Client(string baseAddress) => new(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = new Uri(baseAddress),
        Timeout = TimeSpan.FromSeconds(30),
    };
}
