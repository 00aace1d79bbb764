using System.Diagnostics;
using HueGrains;
using HueGrains.Bench;
using HueGrains.Testing;

// dotnet run -c Release --project bench/HueGrains.Bench [-- --quick]
// W6 alone (bench/results/w6.md and w6.json): -- --w6 [--w6-scale 0.1] [--w6-idle-minutes 5]
// W7 alone (bench/results/w7.md and w7.json): -- --w7
// Issue 14's attacks re-run against the shipped executable (bench/results/abuse.md and abuse.json): -- --abuse
// Everything on loopback, every run bounded; results in bench/results/latest.md and latest.json.
var quick = args.Contains("--quick");
var settings = quick
    ? new BenchSettings(Runs: 1, RunLength: TimeSpan.FromSeconds(2), Sensors: 2_000, MemoryActivations: [10_000])
    : new BenchSettings(Runs: 3, RunLength: TimeSpan.FromSeconds(5), Sensors: 20_000,
        // 1,000,000 activations is asked for, but at the measured ~19 KB per sensor grain it needs ~19 GB of this
        // machine's 24 GB: opt in with --million.
        MemoryActivations: args.Contains("--million") ? [100_000, 1_000_000] : [100_000]);
var report = new Report();
var elapsed = Stopwatch.StartNew();
var history = HistorySettings.From(args, quick);

await using var postgres = new ThrowawayPostgres();
await postgres.StartNewAsync();
Console.WriteLine($"PostgreSQL on 127.0.0.1:{postgres.Port}; {settings.Runs} run(s) of {settings.RunLength.TotalSeconds:0} s per figure");

if (args.Contains("--micro"))
{
    HotPaths.Run(report, quick);
    return 0;
}

if (args.Contains("--profile"))
{
    // For dotnet-trace: 60 s of W1b (HTTP single readings) and nothing else.
    await using var profiled = await PlatformUnderTest.StartAsync(await postgres.CreateDatabaseAsync(), settings.Sensors);
    Console.WriteLine($"Profiling W1b in process {Environment.ProcessId} for 60 s");
    var direct = await Load.RunAsync(TimeSpan.FromSeconds(5), 64, async (w, n) =>
    {
        var (id, _, _) = profiled.Sensors[(int)((w + n * 64) % (profiled.Sensors.Count - 1))];
        var result = await profiled.Grains.Sensor(id).Ingest([new Reading(DateTimeOffset.UtcNow.AddHours(-1).AddTicks(n * 64 + w), 0.5)], null);
        return result.Accepted;
    });
    Console.WriteLine($"grain calls only: {direct.UnitsPerSecond:N0} readings/s, p50 {direct.P50Ms:F2} ms, p99 {direct.P99Ms:F2} ms");
    using (var client = Http.Client(profiled.BaseUrl))
    {
        var live = await Load.RunAsync(TimeSpan.FromSeconds(5), 64, async (_, _) => (await client.GetAsync("/health/live")).IsSuccessStatusCode ? 1 : 0);
        Console.WriteLine($"GET /health/live through the platform's pipeline: {live.UnitsPerSecond:N0} requests/s, p50 {live.P50Ms:F2} ms");
        var sensor = await Load.RunAsync(TimeSpan.FromSeconds(5), 64, async (_, _) => (await client.GetAsync("/api/v1/sensors/bench-000001")).IsSuccessStatusCode ? 1 : 0);
        Console.WriteLine($"GET one sensor: {sensor.UnitsPerSecond:N0} requests/s, p50 {sensor.P50Ms:F2} ms");
    }
    var http = await new IngestWorkloads(profiled).HttpSinglesAsync(TimeSpan.FromSeconds(args.Contains("--quick") ? 5 : 60));
    Console.WriteLine($"W1b: {http.UnitsPerSecond:N0} readings/s, p50 {http.P50Ms:F2} ms, p99 {http.P99Ms:F2} ms");
    return 0;
}

if (args.Contains("--w6"))
{
    await HistoryWorkload.RunAsync(report, postgres, history);
    var w6 = Path.Combine(RepositoryRoot(), "bench", "results");
    await report.WriteAsync(w6, elapsed.Elapsed, 1, TimeSpan.Zero, "w6");
    Console.WriteLine($"Wrote {Path.Combine(w6, "w6.md")} after {elapsed.Elapsed.TotalMinutes:0.0} min");
    return 0;
}

if (args.Contains("--w7"))
{
    await HueGrains.Bench.Changes.ChangeFeedWorkload.RunAsync(report, postgres);
    var w7 = Path.Combine(RepositoryRoot(), "bench", "results");
    await report.WriteAsync(w7, elapsed.Elapsed, 1, TimeSpan.Zero, "w7");
    Console.WriteLine($"Wrote {Path.Combine(w7, "w7.md")} after {elapsed.Elapsed.TotalMinutes:0.0} min");
    return 0;
}

if (args.Contains("--abuse"))
{
    await HueGrains.Bench.Abuse.AbuseWorkload.RunAsync(report, postgres);
    var abuse = Path.Combine(RepositoryRoot(), "bench", "results");
    await report.WriteAsync(abuse, elapsed.Elapsed, 1, TimeSpan.Zero, "abuse");
    Console.WriteLine($"Wrote {Path.Combine(abuse, "abuse.md")} after {elapsed.Elapsed.TotalMinutes:0.0} min");
    return 0;
}

await Ceilings.RunAsync(report, settings, postgres);

Console.WriteLine($"W1 durable ingest ({settings.Sensors:N0} sensors over 40 communes, PostgreSQL)");
await using (var platform = await PlatformUnderTest.StartAsync(await postgres.CreateDatabaseAsync(), settings.Sensors))
{
    var ingest = new IngestWorkloads(platform);
    var w1a = report.Add("W1", "(a) HTTP batches of 100", Rates(await settings.RepeatAsync(ingest.HttpBatchesAsync)), "readings/s", "≥ 100,000");
    var w1b = AddCosted(report, "(b) HTTP single readings", await settings.RepeatAsync(d => CostCounters.MeasureAsync(() => ingest.HttpSinglesAsync(d))));
    var w1c = AddCosted(report, "(c) MQTT QoS 1 single readings", await settings.RepeatAsync(d => CostCounters.MeasureAsync(() => ingest.MqttSinglesAsync(d))));
    var w1d = report.Add("W1", "(d) SenML batches of 100", Rates(await settings.RepeatAsync(ingest.SenmlBatchesAsync)), "readings/s");
    report.Add("W1", "(a) / W0 COPY ceiling", [w1a.Median / report.Median("W0", "PostgreSQL binary COPY into a keyed table")], "ratio");
    report.Add("W1", "(b) / W0 Kestrel ceiling", [w1b.Median / report.Median("W0", "Kestrel trivial JSON POST (64 in flight)")], "ratio");
    report.Add("W1", "(c) / W0 MQTT ceiling", [w1c.Median / report.Median("W0", "MQTTnet broker QoS 1, no work (32 clients)")], "ratio");
    report.Add("W1", "(d) / W0 COPY ceiling", [w1d.Median / report.Median("W0", "PostgreSQL binary COPY into a keyed table")], "ratio");

    Console.WriteLine("W2 freshness at half of W1b");
    var fresh = await settings.RepeatAsync(d => ingest.FreshnessAsync(d + TimeSpan.FromSeconds(3), w1b.Median / 2));
    report.Add("W2", "ack → commune indicators p50", fresh.Select(f => Load.Percentile(f.Commune, 0.5)).ToList(), "ms");
    report.Add("W2", "ack → commune indicators p99", fresh.Select(f => Load.Percentile(f.Commune, 0.99)).ToList(), "ms");
    report.Add("W2", "ack → city indicators p50", fresh.Select(f => Load.Percentile(f.City, 0.5)).ToList(), "ms");
    report.Add("W2", "ack → city indicators p99", fresh.Select(f => Load.Percentile(f.City, 0.99)).ToList(), "ms", "≤ 250 ms");

    Console.WriteLine("W3 queries at 70% of W1b");
    foreach (var (name, path) in new (string, Func<int, long, string>)[]
             { ("GET sensor", ingest.SensorPath), ("GET commune", IngestWorkloads.CommunePath), ("GET city", (_, _) => "/api/v1/city") })
    {
        var runs = await settings.RepeatAsync(d => ingest.QueryAsync(d, w1b.Median * 0.7, path));
        report.Add("W3", $"{name} requests/s", runs.Select(r => r.UnitsPerSecond).ToList(), "requests/s");
        report.Add("W3", $"{name} p50", runs.Select(r => r.P50Ms).ToList(), "ms");
        report.Add("W3", $"{name} p99", runs.Select(r => r.P99Ms).ToList(), "ms", "≤ 10 ms");
    }
}

Console.WriteLine("Baseline: ASP.NET Core + PostgreSQL, one INSERT per reading, GROUP BY per query");
await using (var baseline = await Baseline.StartAsync(await postgres.CreateDatabaseAsync(), settings.Sensors))
{
    var b1 = report.Add("Baseline", "W1b HTTP single readings", Rates(await settings.RepeatAsync(d => baseline.SinglesAsync(d))), "readings/s");
    var b3 = await settings.RepeatAsync(d => baseline.CommuneQueriesAsync(d, b1.Median * 0.7));
    report.Add("Baseline", "W3 GET commune requests/s", b3.Select(r => r.UnitsPerSecond).ToList(), "requests/s");
    report.Add("Baseline", "W3 GET commune p99", b3.Select(r => r.P99Ms).ToList(), "ms");
    report.Add("Baseline", "HueGrains W1b / baseline W1b", [report.Median("W1", "(b) HTTP single readings") / b1.Median], "ratio", "≥ 2");
    report.Add("Baseline", "baseline W3 commune p99 / HueGrains W3 commune p99", [report.Median("Baseline", "W3 GET commune p99") / report.Median("W3", "GET commune p99")], "ratio", "≥ 10");
}

await MemoryWorkload.RunAsync(report, settings);
await RecoveryWorkload.RunAsync(report, settings, postgres);
await HistoryWorkload.RunAsync(report, postgres, history);
await HueGrains.Bench.Changes.ChangeFeedWorkload.RunAsync(report, postgres);
HotPaths.Run(report, quick);
ExplainGaps(report);

var results = Path.Combine(RepositoryRoot(), "bench", "results");
await report.WriteAsync(results, elapsed.Elapsed, settings.Runs, settings.RunLength);
Console.WriteLine($"Wrote {Path.Combine(results, "latest.md")} after {elapsed.Elapsed.TotalMinutes:0.0} min");
return 0;

static List<double> Rates(IEnumerable<LoadResult> runs) => [.. runs.Select(r => r.UnitsPerSecond)];

// Where a target is missed, what this run's own figures say about where the time goes and what would close the gap.
static void ExplainGaps(Report report)
{
    string F(string workload, string name) => Report.Format(report.Median(workload, name));
    report.Note($"W1a vs W1d: the same 100 readings per request reach {F("W1", "(a) HTTP batches of 100")}/s as JSON with ISO 8601 times and " +
        $"{F("W1", "(d) SenML batches of 100")}/s as SenML with numeric times, so JSON timestamp parsing and the per-reading answer cost the difference; " +
        "a source-generated reader of the batch (times as Unix seconds accepted too) would close it.");
    report.Note($"W1b vs the baseline: both sit near the CPU bound of 2 shared cores (see the CPU-per-reading rows); HueGrains spends its share on the " +
        "grain call, the group commit and live state, the baseline on one INSERT; the 2x target needs the allocations per reading cut " +
        "(answer, snapshot, outbox) and the load generator on another machine.");
    report.Note($"W3 p99: p50 is {F("W3", "GET sensor p50")}/{F("W3", "GET commune p50")}/{F("W3", "GET city p50")} ms; the tail comes from gen0 collections " +
        $"under ingest (see the collection rows) and the commune recompute ({F("Micro", "Commune indicators recomputed over its 500 sensors (one flush)")} ns per flush) " +
        "sharing the cores; caching the serialized view per version would remove most of it.");
    var trivial = report.Figures.First(f => f.Workload == "W4" && f.Name.Contains("trivial", StringComparison.Ordinal)).Median;
    var sensor = report.Figures.First(f => f.Workload == "W4" && f.Name.StartsWith("bytes per sensor", StringComparison.Ordinal)).Median;
    report.Note($"W4: Orleans' own activation costs {Report.Format(trivial)} bytes; the other {Report.Format(sensor - trivial)} bytes of a sensor are ours: three rolling " +
        "windows (dictionaries of buckets), the alert book, the commune's snapshot of the sensor, the embedded memory history and the memory storage's " +
        "copy of the state. Fixed-size bucket arrays and no history copy in the grain are the way to 4 KB.");
}

// The single-reading workloads with the counters that say where their time goes, and the rate the CPU alone allows.
static Figure AddCosted(Report report, string name, List<(LoadResult Load, Costs Costs)> runs)
{
    var figure = report.Add("W1", name, Rates(runs.Select(r => r.Load)), "readings/s", "≥ 10,000");
    var label = name[..3]; // "(b)"
    var readings = runs.Select(r => r.Load.UnitsPerSecond * r.Costs.WallSeconds).ToList();
    var processUs = report.Add("W1", $"{label} CPU per reading: platform + load generator", runs.Select((r, i) => r.Costs.ProcessCpuSeconds * 1e6 / readings[i]).ToList(), "µs");
    var postgresUs = report.Add("W1", $"{label} CPU per reading: PostgreSQL", runs.Select((r, i) => r.Costs.PostgresCpuSeconds * 1e6 / readings[i]).ToList(), "µs");
    report.Add("W1", $"{label} allocated per reading (platform + load generator)", runs.Select((r, i) => r.Costs.AllocatedBytes / readings[i]).ToList(), "bytes");
    report.Add("W1", $"{label} gen0 collections", runs.Select(r => r.Costs.Gen0 / r.Costs.WallSeconds).ToList(), "per s");
    report.Add("W1", $"{label} gen2 collections", runs.Select(r => (double)r.Costs.Gen2).ToList(), "per run");
    var cpuBound = Environment.ProcessorCount * 1e6 / (processUs.Median + postgresUs.Median);
    report.Note($"W1{label[1]} {name[4..]}: {Report.Format(processUs.Median + postgresUs.Median)} µs of CPU per reading on {Environment.ProcessorCount} cores " +
        $"({Report.Format(processUs.Median)} in the platform and load generator, {Report.Format(postgresUs.Median)} in PostgreSQL) allow at most " +
        $"{Report.Format(cpuBound)} readings/s; measured {Report.Format(figure.Median)} ({Report.Format(100 * figure.Median / cpuBound)}% of that bound).");
    return figure;
}

static string RepositoryRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HueGrains.sln"))) dir = dir.Parent;
    return dir?.FullName ?? Directory.GetCurrentDirectory();
}
