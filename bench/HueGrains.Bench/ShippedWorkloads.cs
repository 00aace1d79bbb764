using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HueGrains.Testing;

namespace HueGrains.Bench;

/// <summary>
/// W0 ceilings, W1 ingest, W2 freshness, W3 queries under load and the baseline, all against processes of their own
/// (the shipped silo, a no-work MQTT broker, the plain baseline app) driven by bench/HueGrains.LoadGen processes.
/// </summary>
public sealed class ShippedWorkloads(Report report, BenchSettings settings, ThrowawayPostgres postgres)
{
    private const string Trivial = "GET /health/live (64 connections)";
    private const int QueryRate = 400; // W3: GETs per second, paced, so that every kind of query meets the same ingest load
    private static readonly DateTimeOffset Origin = DateTimeOffset.UtcNow.AddHours(-23);
    private int _minutes;

    /// <summary>
    /// Each load that stores readings starts its own reading times (one millisecond per reading, so no reading repeats):
    /// 6 minutes per second of a load at full speed (room for 360,000 readings a second; W1a peaks near 170,000), 5 for
    /// a paced one. The run's loads stay within the 23 hours before its start (a reading more than 5 minutes ahead of the
    /// clock is refused, not ingested); GETs and the no-work broker take none. MQTT loads take 1 minute per second: a
    /// device's n-th reading is at n × devices + its index, so that is room for 60 readings a second per device at 1,000
    /// devices (three times W1c's) and 937 at 64 (four times the 64-device shape's).
    /// </summary>
    private long NextOrigin(TimeSpan duration, bool paced, int minutesPerSecond = 6)
    {
        var start = Origin.AddMinutes(_minutes);
        _minutes += paced ? 5 : (int)Math.Ceiling(duration.TotalSeconds * minutesPerSecond);
        if (_minutes > 23 * 60) throw new InvalidOperationException("The run's loads would send readings dated after its start.");
        return start.ToUnixTimeMilliseconds();
    }

    public async Task RunAsync()
    {
        await using var baseline = await BaselineApp.StartAsync(postgres, settings.Sensors);
        Console.WriteLine($"W1 durable ingest into the shipped silo ({settings.Sensors:N0} sensors over 40 communes, PostgreSQL)");
        await using (var silo = await ShippedSilo.StartAsync(postgres, settings.Sensors))
        {
            // A city's sensors are active (each reports every minute or so): one reading per sensor first, so that W1 measures
            // ingest into active grains, not 20,000 first activations (each a state read from PostgreSQL).
            await silo.SendOneReadingEachAsync();
            var w1b = await IngestAsync(silo, baseline);

            Console.WriteLine("W2 freshness at half of W1b");
            var fresh = await settings.RepeatAsync(d => FreshnessAsync(silo, d + TimeSpan.FromSeconds(3), w1b.Median / 2));
            report.Add("W2", "ack → commune indicators p50", [.. fresh.Select(f => Load.Percentile(f.Commune, 0.5))], "ms");
            report.Add("W2", "ack → commune indicators p99", [.. fresh.Select(f => Load.Percentile(f.Commune, 0.99))], "ms");
            report.Add("W2", "ack → city indicators p50", [.. fresh.Select(f => Load.Percentile(f.City, 0.5))], "ms");
            report.Add("W2", "ack → city indicators p99", [.. fresh.Select(f => Load.Percentile(f.City, 0.99))], "ms", "≤ 250 ms");
            await AlertPath.RunAsync(report, silo, d => Http(silo, "single", 64, d, rate: w1b.Median / 2));

            Console.WriteLine($"W3 GETs ({QueryRate}/s, paced) under ingest at 70% of W1b");
            var devices = silo.Sensors.SkipLast(1).ToList();
            var queries = new (string Name, string Paths)[]
            {
                ("trivial GET /health/live", PathsFile("/health/live")),
                ("GET sensor", PathsFile([.. Enumerable.Range(0, 1000).Select(i => $"/api/v1/sensors/{devices[i * 7919 % devices.Count].Id}")])),
                ("GET commune", PathsFile([.. CityMap.Communes.Select(c => $"/api/v1/communes/{c.Code}")])),
                ("GET city", PathsFile("/api/v1/city")),
            };
            foreach (var (name, paths) in queries)
            {
                var runs = await settings.RepeatAsync(async d => await Sample.MeasureAsync(silo.ProcessId, null, null,
                    await Http(silo, "get", 16, d, paths, QueryRate), await Http(silo, "single", 64, d, rate: w1b.Median * 0.7)));
                report.Add("W3", $"{name} p50", [.. runs.Select(r => r.Load.P50Ms)], "ms");
                report.Add("W3", $"{name} p99", [.. runs.Select(r => r.Load.P99Ms)], "ms", name.StartsWith("trivial", StringComparison.Ordinal) ? null : "≤ 10 ms");
            }
            foreach (var (name, _) in queries.Skip(1))
                report.Add("W3", $"{name} p99 / trivial GET p99", [report.Median("W3", $"{name} p99") / report.Median("W3", "trivial GET /health/live p99")], "ratio", "≤ 3");
        }

        await BaselineQueriesAsync(baseline);
    }

    /// <summary>W1 alone against a fresh shipped silo (a quick A/B of the ingest path, printed only): -- --w1</summary>
    public async Task RunIngestAloneAsync()
    {
        await using var baseline = await BaselineApp.StartAsync(postgres, settings.Sensors);
        await using var silo = await ShippedSilo.StartAsync(postgres, settings.Sensors);
        await silo.SendOneReadingEachAsync();
        // A fresh process: let tiered JIT settle on every path first (in the full run, W1 follows the other loads).
        foreach (var kind in new[] { "get", "batch", "single", "senml", "single" })
            await Sample.MeasureAsync(silo.ProcessId, null, null, await Http(silo, kind, 64, TimeSpan.FromSeconds(4), kind == "get" ? PathsFile("/health/live") : null));
        await Sample.MeasureAsync(silo.ProcessId, null, null, await Mqtt(silo.Process.MqttPort, silo.DevicesFile, TimeSpan.FromSeconds(4)));
        await IngestAsync(silo, baseline);
    }

    /// <summary>
    /// W0's ceilings and W1 a-d with their ratios; returns W1b. They run in rounds, each ceiling right before the loads
    /// compared with it: binary COPY, W1a, W1d; the trivial GET, W1b, the baseline's W1b; the no-work broker, W1c; the
    /// broker and W1c again with 64 devices (W1c's earlier shape, no target). This shared machine's
    /// speed drifts by up to a quarter from one minute to the next, so each ratio is taken within its round and the
    /// median of the rounds is reported with their spread (ratios of medians taken minutes apart put W1c anywhere
    /// between 0.24 and 0.38 of the broker on the same build).
    /// </summary>
    private async Task<Figure> IngestAsync(ShippedSilo silo, BaselineApp baseline)
    {
        Console.WriteLine("W0 ceilings and W1 in rounds: COPY, W1a, W1d; the trivial GET, W1b, the baseline's W1b; the no-work broker, W1c; both with 64 devices");
        var db = await postgres.CreateDatabaseAsync();
        var brokerPort = LoopbackPorts.Free();
        await using var broker = await Generator.StartAsync("broker", "--port", brokerPort);
        var brokerDevices = await Generator.BrokerDevicesAsync(Generator.MqttDevices);
        var trivialPaths = PathsFile("/health/live");
        // Every HTTP load keeps 64 requests in flight. Batches had 16 (1,600 readings): the silo, PostgreSQL and the
        // generator then used 1.35 of the 2 cores at 125,000 readings/s, bounded by readings in flight over the group
        // commit's latency, not by work; with 64, 176,000/s on the same build (2026-12-03, -- --w1).
        var loads = new (string Name, Func<TimeSpan, Task<Generator>> Start, int Server)[]
        {
            ("(a)", d => Http(silo, "batch", 64, d), silo.ProcessId),
            ("(d)", d => Http(silo, "senml", 64, d), silo.ProcessId),
            ("trivial", d => Http(silo, "get", 64, d, trivialPaths), silo.ProcessId),
            ("(b)", d => Http(silo, "single", 64, d), silo.ProcessId),
            ("baseline", d => BaselineSingles(baseline, d), baseline.ProcessId),
            ("broker", d => Mqtt(brokerPort, brokerDevices, d, stores: false), broker.ProcessId),
            ("(c)", d => Mqtt(silo.Process.MqttPort, silo.DevicesFile, d), silo.ProcessId),
            // W1c's earlier shape, kept beside it: 64 devices, each publishing ~230 readings/s (a gateway's pattern).
            ("broker, 64", d => Mqtt(brokerPort, brokerDevices, d, stores: false, connections: 64), broker.ProcessId),
            ("(c64)", d => Mqtt(silo.Process.MqttPort, silo.DevicesFile, d, connections: 64), silo.ProcessId),
        };
        // 2 s of each load unmeasured first (the silo's JIT and tiering, the broker's and the grains' first connections).
        foreach (var load in loads) await Sample.MeasureAsync(load.Server, null, null, await load.Start(TimeSpan.FromSeconds(2)));
        var copy = new List<(double Rate, double PgUs)>();
        var runs = loads.ToDictionary(l => l.Name, _ => new List<Sample>());
        for (var round = 0; round < settings.IngestRounds; round++)
        {
            copy.Add(await CopyCeilingAsync(db, settings.RunLength));
            foreach (var load in loads)
            {
                runs[load.Name].Add(await Sample.MeasureAsync(load.Server, load.Server == broker.ProcessId ? null : postgres.ServerProcessId,
                    load.Server == silo.ProcessId ? silo.AllocatedBytesAsync : null, await load.Start(settings.RunLength)));
            }
        }
        File.Delete(brokerDevices);

        const string Copy = "PostgreSQL binary COPY into a keyed table";
        var devices = Generator.MqttDevices.ToString("N0", CultureInfo.InvariantCulture);
        var brokerFigure = $"MQTTnet broker QoS 1, no work ({devices} connections)";
        report.Add("W0", Copy, [.. copy.Select(c => c.Rate)], "rows/s");
        report.Add("W0", "COPY: PostgreSQL CPU per row", [.. copy.Select(c => c.PgUs)], "µs");
        AddCosted("W0", brokerFigure, runs["broker"], "messages/s", server: "broker");
        AddCosted("W0", "MQTTnet broker QoS 1, no work (64 connections)", runs["broker, 64"], "messages/s", server: "broker");
        var trivial = AddCosted("W0", Trivial, runs["trivial"], "requests/s");
        AddCosted("W1", "(a) HTTP JSON batches of 100", runs["(a)"], "readings/s", "≥ 100,000");
        var w1b = AddCosted("W1", "(b) HTTP single readings", runs["(b)"], "readings/s", "≥ 10,000");
        AddCosted("W1", $"(c) MQTT QoS 1 single readings, {devices} devices", runs["(c)"], "readings/s", "≥ 10,000");
        AddCosted("W1", "(c64) MQTT QoS 1 single readings, 64 devices", runs["(c64)"], "readings/s");
        AddCosted("W1", "(d) SenML batches of 100", runs["(d)"], "readings/s");
        Ratio("W1", "(a) / COPY ceiling", i => runs["(a)"][i].Load.UnitsPerSecond / copy[i].Rate, "≥ 0.6");
        Ratio("W1", "(b) / trivial GET throughput", i => runs["(b)"][i].Load.UnitsPerSecond / runs["trivial"][i].Load.UnitsPerSecond, "≥ 0.35");
        Ratio("W1", "(b) silo CPU per reading / per trivial GET", i => runs["(b)"][i].ServerUsPerUnit / runs["trivial"][i].ServerUsPerUnit, "≤ 5");
        Ratio("W1", "(c) / no-work broker", i => runs["(c)"][i].Load.UnitsPerSecond / runs["broker"][i].Load.UnitsPerSecond, "≥ 0.35");
        Ratio("W1", "(c64) / no-work broker at 64 connections", i => runs["(c64)"][i].Load.UnitsPerSecond / runs["broker, 64"][i].Load.UnitsPerSecond, null);
        Ratio("W1", "(d) / COPY ceiling", i => runs["(d)"][i].Load.UnitsPerSecond / copy[i].Rate, null);
        AddCosted("Baseline", "W1b HTTP single readings", runs["baseline"], "readings/s", server: "baseline");
        Ratio("Baseline", "HueGrains W1b / baseline W1b", i => runs["(b)"][i].Load.UnitsPerSecond / runs["baseline"][i].Load.UnitsPerSecond, "≥ 2");
        Console.WriteLine($"  (trivial GET: {trivial.Median:N0}/s)");
        return w1b;

        void Ratio(string workload, string name, Func<int, double> ofRound, string? target) =>
            report.Add(workload, name, [.. Enumerable.Range(0, settings.IngestRounds).Select(ofRound)], "ratio", target);
    }

    /// <summary>One run of the COPY ceiling: rows per second, and PostgreSQL's CPU per row.</summary>
    private async Task<(double Rate, double PgUs)> CopyCeilingAsync(string db, TimeSpan duration)
    {
        var before = ProcessCounters.ClusterCpuSeconds(postgres.ServerProcessId);
        var rows = await Ceilings.CopyAsync(db, duration);
        var pgUs = (ProcessCounters.ClusterCpuSeconds(postgres.ServerProcessId) - before) * 1e6 / rows;
        Console.WriteLine($"    COPY {rows / duration.TotalSeconds:N0} rows/s, PostgreSQL {pgUs:N2} µs per row");
        return (rows / duration.TotalSeconds, pgUs);
    }

    /// <summary>The baseline's W3: GETs of its communes under ingest at 70% of its own W1b (measured in W1's rounds).</summary>
    private async Task BaselineQueriesAsync(BaselineApp baseline)
    {
        Console.WriteLine("Baseline W3: GROUP BY per query under 70% of its W1b");
        var communes = PathsFile([.. Enumerable.Range(0, 40).Select(i => $"/communes/c{i:D2}")]);
        var rate = report.Median("Baseline", "W1b HTTP single readings") * 0.7;
        var b3 = await settings.RepeatAsync(async d => await Sample.MeasureAsync(baseline.ProcessId, null, null,
            await Generator.StartAsync("http", "--port", baseline.Port, "--kind", "get", "--connections", 16, "--seconds", d.TotalSeconds, "--paths", communes, "--rate", QueryRate),
            await BaselineSingles(baseline, d, rate)));
        report.Add("Baseline", "W3 GET commune p99", [.. b3.Select(r => r.Load.P99Ms)], "ms");
        report.Add("Baseline", "baseline W3 commune p99 / HueGrains W3 commune p99", [report.Median("Baseline", "W3 GET commune p99") / report.Median("W3", "GET commune p99")], "ratio", "≥ 10");
    }

    private Task<Generator> BaselineSingles(BaselineApp baseline, TimeSpan duration, double rate = 0) =>
        Generator.StartAsync("http", "--port", baseline.Port, "--kind", "single", "--connections", 64, "--seconds", duration.TotalSeconds,
            "--devices", baseline.DevicesFile, "--path-template", "/readings/{id}", "--origin-ms", NextOrigin(duration, rate > 0), "--rate", rate);

    /// <summary>
    /// The plain ASP.NET Core + Npgsql app (bench/HueGrains.Baseline, one INSERT per reading, GROUP BY per query) as its
    /// own process on its own database; idle but for the loads sent to it.
    /// </summary>
    private sealed class BaselineApp(Process process, int port, string devicesFile) : IAsyncDisposable
    {
        public int ProcessId => process.Id;

        public int Port => port;

        public string DevicesFile => devicesFile;

        public static async Task<BaselineApp> StartAsync(ThrowawayPostgres postgres, int sensors)
        {
            var port = LoopbackPorts.Free();
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "HueGrains.Baseline.dll"), "--port", port.ToString(CultureInfo.InvariantCulture),
                         "--db", await postgres.CreateDatabaseAsync(), "--sensors", sensors.ToString(CultureInfo.InvariantCulture) })
                start.ArgumentList.Add(arg);
            var process = Process.Start(start)!;
            while (await process.StandardOutput.ReadLineAsync() is { } line && line != "READY") { }
            _ = Task.Run(async () => { while (await process.StandardOutput.ReadLineAsync() is not null) { } }); // it lives the whole run: keep its pipe drained
            var devices = Path.GetTempFileName();
            await File.WriteAllLinesAsync(devices, Enumerable.Range(0, sensors).Select(i => $"base-{i:D6}"));
            return new BaselineApp(process, port, devices);
        }

        public async ValueTask DisposeAsync()
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
            File.Delete(devicesFile);
        }
    }

    private Task<Generator> Http(ShippedSilo silo, string kind, int connections, TimeSpan duration, string? paths = null, double rate = 0) =>
        Generator.StartAsync("http", "--port", silo.Process.HttpPort, "--kind", kind, "--connections", connections, "--seconds", duration.TotalSeconds,
            "--devices", silo.DevicesFile, "--paths", paths ?? "", "--origin-ms", kind == "get" ? 0 : NextOrigin(duration, rate > 0), "--rate", rate);

    /// <param name="stores">False for the no-work broker: its readings are dropped, so they need no reading times of their own.</param>
    private Task<Generator> Mqtt(int port, string devices, TimeSpan duration, bool stores = true, int connections = Generator.MqttDevices) =>
        Generator.MqttSinglesAsync(port, devices, duration.TotalSeconds, connections, "--origin-ms", stores ? NextOrigin(duration, paced: false, minutesPerSecond: 1) : Origin.ToUnixTimeMilliseconds());

    /// <summary>Throughput with the CPU per unit of the server, PostgreSQL and the generator, and the server's allocations per unit.</summary>
    private Figure AddCosted(string workload, string name, List<Sample> runs, string unit, string? target = null, string server = "silo")
    {
        var figure = report.Add(workload, name, [.. runs.Select(r => r.Load.UnitsPerSecond)], unit, target);
        var label = name.StartsWith('(') ? name[..(name.IndexOf(')') + 1)] : name;
        report.Add(workload, $"{label} {server} CPU per unit", [.. runs.Select(r => r.ServerUsPerUnit)], "µs");
        if (runs.Any(r => r.PostgresCpu > 0)) report.Add(workload, $"{label} PostgreSQL CPU per unit", [.. runs.Select(r => r.PostgresUsPerUnit)], "µs");
        report.Add(workload, $"{label} load generator CPU per unit", [.. runs.Select(r => r.GeneratorUsPerUnit)], "µs");
        if (runs.All(r => !double.IsNaN(r.AllocatedBytes))) report.Add(workload, $"{label} {server} allocated per unit", [.. runs.Select(r => r.AllocatedPerUnit)], "bytes");
        return figure;
    }

    private static string PathsFile(params string[] paths)
    {
        var file = Path.GetTempFileName();
        File.WriteAllLines(file, paths);
        return file;
    }

    /// <summary>W2: a probe reading's acknowledgement to its commune's and the city's indicators (read over HTTP), under background ingest.</summary>
    private async Task<(List<double> Commune, List<double> City)> FreshnessAsync(ShippedSilo silo, TimeSpan duration, double backgroundRate)
    {
        await using var background = await Http(silo, "single", 64, duration + TimeSpan.FromSeconds(1), rate: backgroundRate);
        await background.GoAsync();
        var (probe, key, code) = silo.Sensors[^1];
        using var http = Bench.Http.Client($"http://127.0.0.1:{silo.Process.HttpPort}");
        var (toCommune, toCity) = (new List<double>(), new List<double>());
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var value = 29 + Interlocked.Increment(ref _probe) * 1e-4; // above every load reading: it is the max once included
            var acked = await AlertPath.PostReadingAsync(http, probe, key, value);
            double? atCommune = null;
            while (Stopwatch.GetElapsedTime(acked) < TimeSpan.FromSeconds(5))
            {
                atCommune ??= await MaxAsync(http, $"/api/v1/communes/{code}") >= value - 1e-9 ? Stopwatch.GetElapsedTime(acked).TotalMilliseconds : null;
                if (await MaxAsync(http, "/api/v1/city") >= value - 1e-9)
                {
                    toCommune.Add(atCommune ?? Stopwatch.GetElapsedTime(acked).TotalMilliseconds);
                    toCity.Add(Stopwatch.GetElapsedTime(acked).TotalMilliseconds);
                    break;
                }
                await Task.Delay(2);
            }
            await Task.Delay(100);
        }
        await background.ResultAsync();
        return (toCommune.Order().ToList(), toCity.Order().ToList());

        static async Task<double> MaxAsync(HttpClient http, string path)
        {
            using var view = JsonDocument.Parse(await http.GetStringAsync(path));
            return view.RootElement.GetProperty("sensors").EnumerateArray()
                .Where(k => k.GetProperty("kind").GetString() == "water-level" && k.GetProperty("max").ValueKind == JsonValueKind.Number)
                .Select(k => k.GetProperty("max").GetDouble()).DefaultIfEmpty(0).Max();
        }
    }

    private long _probe;
}
