using System.Diagnostics;
using System.Globalization;
using HueGrains.Bench;
using HueGrains.Testing;

// dotnet run -c Release --project bench/HueGrains.Bench [-- --quick] [--million]
//   W0-W3 and the baseline run the shipped silo (silo/bin/Release/net10.0/HueGrains.Silo.dll) and the baseline app as
//   processes of their own, driven by bench/HueGrains.LoadGen processes; W4 measures the shipped silo at 20,000 active
//   sensors (--w4-sensors N, or --million for 1,000,000) in the full run.
// W1 alone with its ceiling, printed only (a quick A/B of the ingest path): -- --w1 [--quick]
// A W1b top-frames profile (bench/results/w1b-profile-before.md or -after.md): -- --profile [before|after] [--mqtt: W1c]
//   (-- --profile external [--mqtt]: the load alone for 40 s, for perf to attach to the silo whose id is printed)
// W1c of this checkout's silo (A) beside other builds or settings, in rounds, printed only:
//   -- --w1c-ab other/HueGrains.Silo.dll "other/HueGrains.Silo.dll;Hue__Dashboard=false" … [--rounds 12] [--connections 1000]
// W4's embedded sensor figure alone, printed only: -- --w4-embedded N
// The full run is W0-W5 and the micro figures; W6, W7 and the attacks run alone (each long or separate) and their
// latest results are merged into latest.md as sections of their own.
// W4 in the shipped silo alone, at 1,000,000 sensors unless --w4-sensors N (bench/results/w4.md and w4.json, ≈ 1 h;
// HUE_BENCH_GCDUMP=file also dumps its heap): -- --w4-shipped [--w4-sensors N]
// W6 alone (bench/results/w6.md and w6.json): -- --w6 [--w6-scale 0.1] [--w6-idle-minutes 5]
// W7 alone (bench/results/w7.md and w7.json): -- --w7
// Issue 14's attacks re-run against the shipped executable (bench/results/abuse.md and abuse.json): -- --abuse
// Everything on loopback, every run bounded; results in bench/results/latest.md and latest.json.
var quick = args.Contains("--quick");
var settings = quick
    ? new BenchSettings(Runs: 1, IngestRounds: 1, RunLength: TimeSpan.FromSeconds(3), Sensors: 2_000, MemoryActivations: [10_000])
    : new BenchSettings(Runs: 3, IngestRounds: 5, RunLength: TimeSpan.FromSeconds(5), Sensors: 20_000, MemoryActivations: [100_000]);
// W4 in the shipped silo provisions every sensor through the API (a few hundred per second here): 1,000,000 (it fits in
// 8 GB) when W4 runs alone, which takes about an hour; 20,000 in the full run to keep it short; or --w4-sensors N.
var shippedSensors = args.Contains("--million") ? 1_000_000
    : args.SkipWhile(a => a != "--w4-sensors").Skip(1).Select(int.Parse)
        .FirstOrDefault(args.Contains("--w4-shipped") ? 1_000_000 : quick ? 10_000 : 20_000);
var report = new Report();
var elapsed = Stopwatch.StartNew();

// W4's embedded figure alone (no PostgreSQL, no results file): -- --w4-embedded N
if (args.SkipWhile(a => a != "--w4-embedded").Skip(1).Select(int.Parse).FirstOrDefault() is > 0 and var embeddedSensors)
{
    await MemoryWorkload.RunSensorsAsync(report, embeddedSensors);
    return 0;
}
var history = HistorySettings.From(args, quick);

// PostgreSQL's default shared_buffers (128 MB) holds less than the history index's hot pages: each active sensor's
// newest readings sit on a leaf page of its own (8 KB), 160 MB at 20,000 sensors. Measured with 4,000,000 readings
// stored: COPY cost PostgreSQL 13 µs per reading at 128 MB, 7.8 at 1 GB. Operators size it the same way (README).
await using var postgres = new ThrowawayPostgres("shared_buffers=1GB");
await postgres.StartNewAsync();
Console.WriteLine($"PostgreSQL on 127.0.0.1:{postgres.Port}; {settings.Runs} run(s) of {settings.RunLength.TotalSeconds:0} s per figure");


if (args.Contains("--micro"))
{
    HotPaths.Run(report, quick);
    return 0;
}

if (args.Contains("--w1"))
{
    await new ShippedWorkloads(report, settings, postgres).RunIngestAloneAsync();
    return 0;
}

if (args.Contains("--w1c-ab"))
{
    var variants = args.SkipWhile(a => a != "--w1c-ab").Skip(1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
    var rounds = args.SkipWhile(a => a != "--rounds").Skip(1).Select(r => int.Parse(r, CultureInfo.InvariantCulture)).FirstOrDefault(12);
    if (variants.Count == 0 || rounds < 1) throw new ArgumentException("--w1c-ab needs at least one variant (path.dll[;Key=Value…]) right after it, and --rounds at least 1.");
    var connections = args.SkipWhile(a => a != "--connections").Skip(1).Select(c => int.Parse(c, CultureInfo.InvariantCulture)).FirstOrDefault(Generator.MqttDevices);
    if (connections < 1 || connections > settings.Sensors) throw new ArgumentException($"--connections is between 1 and the sensors ({settings.Sensors:N0}).");
    await MqttComparison.RunAsync(postgres, settings.Sensors, variants, rounds, connections);
    return 0;
}

if (args.Contains("--profile"))
{
    var label = args.SkipWhile(a => a != "--profile").Skip(1).Take(1).FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "before";
    await Profile.RunAsync(postgres, settings.Sensors, label, mqtt: args.Contains("--mqtt"));
    return 0;
}

// A workload run alone writes its own results file (bench/results/{name}.md and .json) and its section of latest.md.
foreach (var (flag, name, run) in new (string, string, Func<Task>)[]
{
    ("--w4-shipped", "w4", () => ShippedMemory.RunAsync(report, postgres, shippedSensors)),
    ("--w6", "w6", () => HistoryWorkload.RunAsync(report, postgres, history)),
    ("--w7", "w7", () => HueGrains.Bench.Changes.ChangeFeedWorkload.RunAsync(report, postgres)),
    ("--abuse", "abuse", () => HueGrains.Bench.Abuse.AbuseWorkload.RunAsync(report, postgres)),
})
{
    if (!args.Contains(flag)) continue;
    await run();
    var directory = Path.Combine(Repository.Root(), "bench", "results");
    await report.WriteAsync(directory, elapsed.Elapsed, 1, TimeSpan.Zero, name);
    foreach (var alone in RunAlone.Names.Where(a => File.Exists(Path.Combine(directory, a + ".md"))))
        await Report.MergeIntoLatestAsync(directory, alone);
    Console.WriteLine($"Wrote {Path.Combine(directory, name + ".md")} after {elapsed.Elapsed.TotalMinutes:0.0} min");
    return 0;
}

await new ShippedWorkloads(report, settings, postgres).RunAsync();
await ShippedMemory.RunAsync(report, postgres, shippedSensors);
await MemoryWorkload.RunAsync(report, settings);
await RecoveryWorkload.RunAsync(report, settings, postgres);
HotPaths.Run(report, quick);
report.Section("How W0-W4 were measured", HowMeasured());
ExplainGaps(report);

var results = Path.Combine(Repository.Root(), "bench", "results");
await report.WriteAsync(results, elapsed.Elapsed, settings.Runs, settings.RunLength, ingestRounds: settings.IngestRounds);
foreach (var alone in RunAlone.Names.Where(a => File.Exists(Path.Combine(results, a + ".md"))))
    await Report.MergeIntoLatestAsync(results, alone);
Console.WriteLine($"Wrote {Path.Combine(results, "latest.md")} after {elapsed.Elapsed.TotalMinutes:0.0} min");
return 0;

static IEnumerable<string> HowMeasured()
{
    yield return "- The platform under test is the shipped executable, `dotnet silo/bin/Release/net10.0/HueGrains.Silo.dll --role all`, on its own database " +
        "of a throwaway PostgreSQL (fsync off, max_connections 500, shared_buffers 1 GB: its 128 MB default holds less than " +
        "one index leaf page per active sensor) that the bench starts; the baseline is bench/HueGrains.Baseline, a plain " +
        "ASP.NET Core + Npgsql app (one INSERT per reading), its own process too.";
    yield return "- Load: bench/HueGrains.LoadGen, a separate process per load: raw sockets, keep-alive HTTP/1.1 without pipelining, requests " +
        "pre-built per device with only Content-Length and the timestamps written in place (each reading's time unique), MQTT 3.1.1 " +
        "PUBLISH QoS 1 packets pre-built the same way and counted by PUBACK. Chosen over wrk (installable here with apt-get) because W2 and " +
        "W3 need a paced rate (wrk has none), the MQTT loads need a publisher anyway, and one generator keeps HTTP and MQTT ceilings comparable. " +
        "Its own CPU is in the 'load generator CPU per unit' rows.";
    yield return $"- W1c and its no-work broker: {Generator.MqttDevices:N0} devices, each on its own connection (100 per loopback source address, " +
        "127.0.0.1 up, so the silo's per-address limit stays at its default), one QoS 1 publish in flight each. Until 2026-12-03 it was 64 devices, " +
        "each publishing ~230 readings/s, more than ten times the default device quota: that shape is kept beside it as (c64), against the broker at 64 connections.";
    yield return "- CPU per unit: utime + stime from /proc/<pid>/stat of the silo (or broker, or baseline) process, and of the PostgreSQL " +
        "postmaster and every process it started (those that ended included, the postmaster's cutime + cstime), read just before the load starts and after it ends. Allocations: the silo's own " +
        "`dotnet_gc_heap_total_allocated_bytes_total` from its /metrics before and after. W3 and W2 GETs are paced (400/s) so every kind " +
        "of query meets the same ingest load; latency is measured from send to the end of the answer.";
    yield return "- Settings changed from the defaults for the run (besides ports, the connection string and a signing key): " +
        string.Join("; ", ShippedSilo.ChangedSettings.Select(s => $"`{s.Key}={s.Value}`")) + ". Everything else (the Orleans dashboard on, without its call profiling, " +
        "OpenTelemetry, rate limiting, authentication) is as an operator gets it.";
}

// Where a target is missed, what this run's own figures say about where the time goes.
static void ExplainGaps(Report report)
{
    string F(string workload, string name) => Report.Format(report.Median(workload, name));
    report.Note($"W1b: the silo spends {F("W1", "(b) silo CPU per unit")} µs of CPU per reading against {F("W0", "GET /health/live (64 connections) silo CPU per unit")} µs " +
        $"per trivial GET in the same process, while PostgreSQL spends {F("W1", "(b) PostgreSQL CPU per unit")} µs storing it and the load generator " +
        $"{F("W1", "(b) load generator CPU per unit")} µs sending it; the silo allocates {F("W1", "(b) silo allocated per unit")} bytes per reading.");
    report.Note($"W1a vs W1d: the same 100 readings per request reach {F("W1", "(a) HTTP JSON batches of 100")}/s as JSON with ISO 8601 times and " +
        $"{F("W1", "(d) SenML batches of 100")}/s as SenML with numeric times.");
    report.Note($"W3: the trivial GET's p99 under the same ingest is {F("W3", "trivial GET /health/live p99")} ms; the sensor, commune and city GETs' p99 are " +
        $"{F("W3", "GET sensor p99")}/{F("W3", "GET commune p99")}/{F("W3", "GET city p99")} ms.");
}

/// <summary>The workloads that can run alone, each with its own results file.</summary>
internal static class RunAlone
{
    public static readonly string[] Names = ["w4", "w6", "w7", "abuse"];
}
