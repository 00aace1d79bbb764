using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using HueGrains.Api.Auth;
using HueGrains.Testing;
using Npgsql;

namespace HueGrains.Bench.Changes;

/// <summary>
/// W7 the change feed and webhooks, on the shipped executable (role all, durable PostgreSQL): what one append costs a
/// writing transaction, how many changes a subscription delivers per second to a local receiver, and how long a change
/// waits between its commit and its delivery under a steady flow.
/// </summary>
public static class ChangeFeedWorkload
{
    private const int Backlog = 20_000;
    private const int SteadyPerSecond = 200;
    private static readonly TimeSpan SteadyFor = TimeSpan.FromSeconds(20);
    private static readonly string[] Alerts = ["alert"];
    private static readonly double[] Thresholds = [1.0, 2.0, 3.0];

    public static async Task RunAsync(Report report, ThrowawayPostgres postgres)
    {
        Console.WriteLine("W7 the change feed and webhook delivery");
        var db = await postgres.CreateDatabaseAsync();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var environment = new Dictionary<string, string>
        {
            ["Hue__Dashboard"] = "false", // not needed by this workload
            ["Hue__Subscriptions__AllowedHosts"] = "127.0.0.1", // the receiver is on loopback; everything else as shipped
            ["Logging__LogLevel__HueGrains"] = "Warning",
        };
        await using var silo = SiloProcess.Start("all", db, $"w7-{Guid.NewGuid():N}", key, environment);
        await silo.WaitReadyAsync(TimeSpan.FromMinutes(2));
        await using var source = NpgsqlDataSource.Create(db);

        var cost = await AppendCostAsync(source);
        report.Add("W7", "1 writer: transaction writing a row", [cost.WithoutMicros], "µs");
        report.Add("W7", "1 writer: the same transaction appending a change too", [cost.WithMicros], "µs");
        report.Add("W7", "append cost per change (1 writer, the difference)", [cost.WithMicros - cost.WithoutMicros], "µs");
        report.Add("W7", "8 writers: transactions writing a row", [cost.ConcurrentWithout], "transactions/s");
        report.Add("W7", "8 writers: the same transactions appending a change too", [cost.ConcurrentWith], "transactions/s");

        var operatorToken = TokenIssuer.Issue(new HueAuthOptions { SigningKey = key }, Roles.Operator);
        using var http = Http.Client(silo.Http.BaseAddress!.ToString());
        http.DefaultRequestHeaders.Authorization = new("Bearer", operatorToken);
        await RealAlertsAsync(http);

        using var receiver = new TimingReceiver();
        var created = await http.PostAsJsonAsync("/api/v1/subscriptions", new { url = receiver.Url, types = Alerts, secret = "w7-secret-of-enough-length" });
        if (!created.IsSuccessStatusCode) throw new InvalidOperationException($"subscribing answered {created.StatusCode}: {await created.Content.ReadAsStringAsync()}");

        // A backlog committed at once: how fast one subscription drains it.
        var started = Stopwatch.StartNew();
        await CloneAlertsAsync(source, Backlog);
        while (receiver.Distinct < Backlog && started.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(50);
        var drained = started.Elapsed.TotalSeconds;
        report.Add("W7", $"webhook delivery of a {Backlog:N0}-change backlog to a local receiver (one subscription)", [receiver.Distinct / drained], "changes/s");
        Console.WriteLine($"    backlog of {Backlog:N0}: {receiver.Distinct:N0} delivered in {drained:0.0} s, {receiver.Batches:N0} batches");

        // A steady flow: each change's commit (its time in the feed) to its arrival at the receiver.
        receiver.Reset();
        var flow = Stopwatch.StartNew();
        var appended = 0;
        for (var tick = 0; flow.Elapsed < SteadyFor; tick++)
        {
            await CloneAlertsAsync(source, SteadyPerSecond / 20);
            appended += SteadyPerSecond / 20;
            var next = TimeSpan.FromMilliseconds(50 * (tick + 1)) - flow.Elapsed;
            if (next > TimeSpan.Zero) await Task.Delay(next);
        }
        while (receiver.Distinct < appended && flow.Elapsed < SteadyFor + TimeSpan.FromMinutes(1)) await Task.Delay(50);
        var waits = receiver.Latencies();
        report.Add("W7", $"commit → delivery p50, steady {SteadyPerSecond} changes/s", [Load.Percentile(waits, 0.5)], "ms");
        report.Add("W7", $"commit → delivery p99, steady {SteadyPerSecond} changes/s", [Load.Percentile(waits, 0.99)], "ms");
        report.Add("W7", "changes delivered of those committed in the steady flow", [receiver.Distinct], "changes", $"= {appended:N0}");
        report.Section("W7 the change feed and webhooks",
        [
            "Append cost: 2,000 transactions one after another on one connection, each inserting a row, with and without `hue_append_change(…)` (what the grain-state trigger calls for a dossier, report or alert change: an advisory lock held to commit, so positions become visible in commit order, and one insert); then 8 connections × 500 transactions at once. Transactions that append queue on that lock through their commit (its WAL flush), so appending transactions commit one at a time: the 8-writer figure is the feed's ceiling of change-producing commits per second on this disk. Readings that change no alert level append nothing.",
            $"Delivery: the shipped executable (role all, dashboard off, `Hue__Subscriptions__AllowedHosts=127.0.0.1` so a loopback receiver is allowed; delivery settings as shipped: poll 1 s, batches of 50) delivers to an HttpListener receiver in the bench process. The changes are clones (new entity ids) of real alert changes the platform wrote for gauges swung across BĐ3, appended by SQL so that the feed, not ingest, is measured: {Backlog:N0} at once, then {SteadyPerSecond}/s for {SteadyFor.TotalSeconds:0} s.",
            $"Commit time is the change's `at` (clock_timestamp() in the appending transaction); arrival is the receiver's clock, the same machine. Duplicates received: {receiver.Duplicates:N0}.",
        ]);
    }

    /// <summary>
    /// Transactions that each write one row, with and without appending a change too: one writer one after another (the
    /// time an append adds), and 8 writers at once (the appends' advisory lock is held to commit, so they queue on it).
    /// </summary>
    private static async Task<AppendCost> AppendCostAsync(NpgsqlDataSource source)
    {
        await using (var create = source.CreateCommand("CREATE TABLE w7_rows (id text PRIMARY KEY)")) await create.ExecuteNonQueryAsync();
        var next = 0;
        async Task<double> TimeAsync(bool append, int count)
        {
            await using var connection = await source.OpenConnectionAsync();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                await using var tx = await connection.BeginTransactionAsync();
                await using var command = new NpgsqlCommand(append
                    ? "WITH w AS (INSERT INTO w7_rows VALUES ($1)) SELECT hue_append_change('alert', $1, '19774', 1, '{\"AlertLevel\":2}'::jsonb)"
                    : "INSERT INTO w7_rows VALUES ($1)", connection, tx);
                command.Parameters.AddWithValue($"w7-{Interlocked.Increment(ref next)}");
                await command.ExecuteNonQueryAsync();
                await tx.CommitAsync();
            }
            return clock.Elapsed.TotalMicroseconds / count;
        }
        async Task<double> ConcurrentAsync(bool append)
        {
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => TimeAsync(append, 500)));
            return 8 * 500 / clock.Elapsed.TotalSeconds;
        }
        await TimeAsync(true, 200); // warm-up
        await TimeAsync(false, 200);
        var (with, without) = (await TimeAsync(true, 2_000), await TimeAsync(false, 2_000));
        var (concurrentWith, concurrentWithout) = (await ConcurrentAsync(true), await ConcurrentAsync(false));
        await using (var cleanup = source.CreateCommand("DELETE FROM hue_changes WHERE entity_id LIKE 'w7-%' AND entity_id NOT LIKE 'w7-gauge-%'; DROP TABLE w7_rows"))
            await cleanup.ExecuteNonQueryAsync();
        return new AppendCost(with, without, concurrentWith, concurrentWithout);
    }

    private sealed record AppendCost(double WithMicros, double WithoutMicros, double ConcurrentWith, double ConcurrentWithout);

    /// <summary>Gauges swung across BĐ3: real alert changes, written by the platform, to clone.</summary>
    private static async Task RealAlertsAsync(HttpClient http)
    {
        for (var g = 0; g < 10; g++)
        {
            var id = $"w7-gauge-{g}";
            var put = await http.PutAsJsonAsync($"/api/v1/sensors/{id}", new
            {
                kind = "water-level", unit = "m", commune = CityMap.Communes[g].Code, latitude = 16.46, longitude = 107.59, thresholds = Thresholds,
            });
            var deviceKey = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deviceKey").GetString()!;
            for (var i = 0; i < 10; i++)
            {
                using var reading = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sensors/{id}/readings")
                {
                    Content = JsonContent.Create(new { at = DateTimeOffset.UtcNow, value = i % 2 == 0 ? 3.9 : 0.1 }),
                };
                reading.Headers.Add("X-Device-Key", deviceKey);
                (await http.SendAsync(reading)).EnsureSuccessStatusCode();
            }
        }
    }

    private static int _clones;

    /// <summary>Appends copies of the real alert changes under new entity ids, in one transaction.</summary>
    private static async Task CloneAlertsAsync(NpgsqlDataSource source, int count)
    {
        var from = Interlocked.Add(ref _clones, count) - count;
        await using var command = source.CreateCommand("""
            WITH real AS (SELECT row_number() OVER (ORDER BY position) - 1 AS n, entity_id, commune, version, data
                          FROM hue_changes WHERE type = 'alert' AND entity_id LIKE 'w7-gauge-%' AND entity_id NOT LIKE '%-%-%-%'),
                 total AS (SELECT count(*) AS c FROM real)
            SELECT count(hue_append_change('alert', r.entity_id || '-' || g, r.commune, r.version, r.data))
            FROM generate_series($1, $2) g CROSS JOIN total JOIN real r ON r.n = g % total.c
            """);
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(from + count - 1);
        await command.ExecuteScalarAsync();
    }

    /// <summary>A webhook target on 127.0.0.1 that accepts everything and notes when each change arrived.</summary>
    private sealed class TimingReceiver : IDisposable
    {
        private readonly System.Net.HttpListener _listener = new();
        private readonly Lock _gate = new();
        private readonly Dictionary<(string, long), double> _arrivals = [];
        private int _batches, _duplicates;

        public TimingReceiver()
        {
            var port = LoopbackPorts.Free();
            Url = $"http://127.0.0.1:{port}/hook";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = Task.Run(ListenAsync);
        }

        public string Url { get; }
        public int Batches => _batches;
        public int Duplicates => _duplicates;

        public int Distinct
        {
            get { lock (_gate) return _arrivals.Count; }
        }

        public void Reset()
        {
            lock (_gate) _arrivals.Clear();
        }

        /// <summary>Milliseconds from each change's commit to its first arrival.</summary>
        public List<double> Latencies()
        {
            lock (_gate) return [.. _arrivals.Values.Order()];
        }

        private async Task ListenAsync()
        {
            while (_listener.IsListening)
            {
                System.Net.HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is System.Net.HttpListenerException or ObjectDisposedException) { return; }
                var arrived = DateTimeOffset.UtcNow;
                using (var body = await JsonDocument.ParseAsync(context.Request.InputStream))
                {
                    lock (_gate)
                        foreach (var change in body.RootElement.GetProperty("changes").EnumerateArray())
                        {
                            var at = change.GetProperty("at").GetDateTimeOffset();
                            if (!_arrivals.TryAdd((change.GetProperty("id").GetString()!, change.GetProperty("version").GetInt64()), (arrived - at).TotalMilliseconds))
                                _duplicates++;
                        }
                }
                Interlocked.Increment(ref _batches);
                context.Response.StatusCode = 204;
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
