using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using HueGrains.Api.Auth;
using HueGrains.Testing;
using Npgsql;

namespace HueGrains.Bench;

/// <summary>How big a history W6 builds (1.0: 200,000 closed and 5,000 open dossiers, 100,000 closed reports) and how long it idles.</summary>
public sealed record HistorySettings(double Scale, TimeSpan Idle, TimeSpan CollectionAge)
{
    /// <summary><c>--w6-scale 0.1</c> (default 1, or 0.01 with --quick), <c>--w6-idle-minutes 5</c>.</summary>
    public static HistorySettings From(string[] args, bool quick)
    {
        double? Option(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : null;
        }
        var scale = Option("--w6-scale") ?? (quick ? 0.01 : 1.0);
        if (scale is <= 0 or > 10) throw new ArgumentException("--w6-scale is a factor in (0, 10].");
        return new HistorySettings(scale, TimeSpan.FromMinutes(Option("--w6-idle-minutes") ?? (quick ? 4 : 5)), TimeSpan.FromMinutes(1));
    }
}

/// <summary>
/// W6 "a city's history": two platforms side by side, each the shipped executable (role all) on its own PostgreSQL
/// database: an empty city (A) and one whose commune Kim Long holds 200,000 closed and 5,000 open dossiers and 100,000
/// closed reports, all created through the HTTP API (B). Then, on both in the same run: the commune and city GETs
/// (interleaved A/B), the commune's stored state, work-list pages at random depths, and process memory after population
/// and after idling with a shortened collection age.
/// </summary>
public sealed partial class HistoryWorkload
{
    public const string Commune = "19774"; // Kim Long
    private const int ClosedCasesAtFullScale = 200_000, OpenCasesAtFullScale = 5_000, ReportsAtFullScale = 100_000;
    private const int Workers = 32;
    private const int WarmupGets = 200, TimedGets = 2_000, WorkListGets = 1_000, Cursors = 50, PageSize = 100;
    private const double GetRatioTarget = 1.5, StateTargetBytes = 64 * 1024, PageTargetMs = 20, MemoryRatioTarget = 1.2;
    /// <summary>The population stops here whatever the scale: every run is bounded.</summary>
    private static readonly TimeSpan PopulateLimit = TimeSpan.FromMinutes(90);
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private static readonly string[] Categories =
        ["urban-order", "environment-sanitation", "traffic-infrastructure", "security-order", "public-services", "other"];
    private static readonly string[] CaseMoves = ["processing", "ready-to-return", "returned"];

    private readonly HistorySettings _settings;
    private readonly HueAuthOptions _auth;
    private readonly string _official;
    private readonly ConcurrentDictionary<string, int> _failureKinds = new();
    private long _requests, _failures, _retries, _casesFiled, _casesClosed, _reportsFiled, _reportsResolved;

    private HistoryWorkload(HistorySettings settings, string signingKey)
    {
        _settings = settings;
        _auth = new HueAuthOptions { SigningKey = signingKey };
        _official = TokenIssuer.Issue(_auth, Roles.Official, Commune);
    }

    private sealed record Population(int Citizens, int PlannedCases, int PlannedOpen, int PlannedReports, long Requests, TimeSpan Took, bool Complete,
        double PlatformCpu, double PostgresCpu, double LoadCpu, string LoadAverages);

    private sealed record Memory(double RssMiB, double HeapMiB, string HeapMetric, double Gen2Collections, double Activations, string Grains);

    public static async Task RunAsync(Report report, ThrowawayPostgres postgres, HistorySettings settings)
    {
        var elapsed = Stopwatch.StartNew();
        Console.WriteLine($"W6 a city's history (scale {settings.Scale:0.###}; collection age {settings.CollectionAge.TotalMinutes:0.#} min, idle {settings.Idle.TotalMinutes:0.#} min)");
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var environment = new Dictionary<string, string>
        {
            ["Hue__Grains__CollectionAge"] = settings.CollectionAge.ToString("c", CultureInfo.InvariantCulture),
            ["Hue__Dashboard"] = "false", // not needed by this workload
            // A few citizens file the whole history: far beyond one citizen's hourly quota (Hue:Quotas) by design.
            ["Hue__Quotas__DossiersPerHour"] = "1000000",
            ["Hue__Quotas__ReportsPerHour"] = "1000000",
            ["Logging__LogLevel__HueGrains"] = "Warning",
        };
        var emptyDb = await postgres.CreateDatabaseAsync();
        var historyDb = await postgres.CreateDatabaseAsync();
        await using var empty = SiloProcess.Start("all", emptyDb, $"w6-empty-{Guid.NewGuid():N}", key, environment);
        await using var history = SiloProcess.Start("all", historyDb, $"w6-history-{Guid.NewGuid():N}", key, environment);
        await Task.WhenAll(empty.WaitReadyAsync(TimeSpan.FromMinutes(2)), history.WaitReadyAsync(TimeSpan.FromMinutes(2)));
        Console.WriteLine($"    empty city: process {empty.ProcessId} on {empty.Http.BaseAddress}; history city: process {history.ProcessId} on {history.Http.BaseAddress}");
        using var toEmpty = Http.Client(empty.Http.BaseAddress!.ToString());
        using var toHistory = Http.Client(history.Http.BaseAddress!.ToString());

        var workload = new HistoryWorkload(settings, key);
        try
        {
            await workload.MeasureAsync(report, settings, empty, history, toEmpty, toHistory, historyDb, postgres.Port);
        }
        finally
        {
            // The platforms' own output, for whoever reads a surprising figure.
            foreach (var (name, process) in new[] { ("empty", empty), ("history", history) })
            {
                var log = Path.Combine(Path.GetTempPath(), $"w6-{name}-city-{process.ProcessId}.log");
                await File.WriteAllTextAsync(log, process.Output);
                Console.WriteLine($"    {name} city's process output ({(process.HasExited ? "exited" : "running")}): {log}");
            }
        }
        Console.WriteLine($"    W6 took {elapsed.Elapsed.TotalMinutes:0.0} min");
    }

    private async Task MeasureAsync(Report report, HistorySettings settings, SiloProcess empty, SiloProcess history, HttpClient toEmpty, HttpClient toHistory,
        string historyDb, int postgresPort)
    {
        var population = await PopulateAsync(toHistory, () => !empty.HasExited && !history.HasExited, history.ProcessId, postgresPort);
        if (empty.HasExited || history.HasExited) throw new InvalidOperationException("A platform process exited during the population.");
        var (settledSeconds, agrees, shown) = await SettleAsync(toHistory);
        var populated = (A: await MemoryAsync(empty), B: await MemoryAsync(history));
        Console.WriteLine($"    after population: {Describe(populated.A, populated.B)}");

        var gets = await CompareGetsAsync(toEmpty, toHistory);
        var states = await StoredStateAsync(historyDb);
        var (walk, pages, listed, cursors) = await WorkListAsync(toHistory);
        var direct = await DirectListAsync(historyDb, cursors);
        var database = await DatabaseActivityAsync(historyDb);

        Console.WriteLine($"    idle {settings.Idle.TotalMinutes:0.#} min (collection age {settings.CollectionAge.TotalMinutes:0.#} min)");
        await Task.Delay(settings.Idle);
        var idle = (A: await MemoryAsync(empty), B: await MemoryAsync(history));
        Console.WriteLine($"    after idle: {Describe(idle.A, idle.B)}");
        Console.WriteLine($"    activations by class after idle: empty city {idle.A.Grains}; history city {idle.B.Grains}");
        // What the processes would hold if a full collection ran: one induced from outside (as dotnet-gcdump does).
        await Task.WhenAll(InduceFullCollectionAsync(empty.ProcessId), InduceFullCollectionAsync(history.ProcessId));
        var collected = (A: await MemoryAsync(empty), B: await MemoryAsync(history));
        Console.WriteLine($"    after idle and an induced full collection: {Describe(collected.A, collected.B)}");
        if (empty.HasExited || history.HasExited) throw new InvalidOperationException("A platform process exited during the measurements.");
        // The console logger writes "warn: Category[event id]" and the message on the next lines: counted by that first line.
        var warnings = history.Output.Split('\n').Select(l => l.Trim())
            .Where(l => l.StartsWith("warn:", StringComparison.Ordinal) || l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal))
            .GroupBy(l => l).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} ×{g.Count()}").ToList();

        // Figures: the table rows, then the W6 section that states each one against its target.
        var rows = new List<(string Name, string Measured, string Target, bool? Met)>();
        Figure Add(string name, double value, string unit, string? target = null, bool? met = null)
        {
            var figure = report.Add("W6", name, [value], unit, target);
            rows.Add((name, $"{Report.Format(value)} {unit}", target ?? "", met));
            return figure;
        }
        Add("dossiers filed through the API (history city)", _casesFiled, "dossiers");
        Add("of them closed (processing → ready-to-return → returned)", _casesClosed, "dossiers");
        Add("reports submitted and resolved", _reportsResolved, "reports");
        Add("populate rate (all API requests, 32 workers)", population.Requests / population.Took.TotalSeconds, "requests/s");
        Add("populate rate, dossiers and reports created", (_casesFiled + _reportsFiled) / population.Took.TotalSeconds, "items/s");
        Add("populate time", population.Took.TotalMinutes, "min");
        Add("CPU per API request during population: history platform", population.PlatformCpu * 1e6 / population.Requests, "µs");
        Add("CPU per API request during population: PostgreSQL", population.PostgresCpu * 1e6 / population.Requests, "µs");
        Add("CPU per API request during population: load generator", population.LoadCpu * 1e6 / population.Requests, "µs");
        Add("seconds until the commune's indicators showed the whole history", settledSeconds, "s");
        foreach (var (label, path) in new[] { ("GET /api/v1/communes/19774", CommunePath), ("GET /api/v1/city", CityPath) })
        {
            var (a, b) = (gets[(path, 'A')], gets[(path, 'B')]);
            Add($"{label} p50, empty city", Load.Percentile(a.Ms, 0.5), "ms");
            Add($"{label} p50, history city", Load.Percentile(b.Ms, 0.5), "ms");
            Add($"{label} p99, empty city", Load.Percentile(a.Ms, 0.99), "ms");
            Add($"{label} p99, history city", Load.Percentile(b.Ms, 0.99), "ms");
            var ratio = Load.Percentile(b.Ms, 0.99) / Load.Percentile(a.Ms, 0.99);
            Add($"{label} p99 history / empty", ratio, "ratio", $"≤ {GetRatioTarget}", ratio <= GetRatioTarget);
            Add($"{label} answer size, history city", b.Bytes, "bytes");
        }
        var commune = states.Where(s => s.Type.Contains("commune", StringComparison.OrdinalIgnoreCase)).ToList();
        var communeBytes = commune.Count == 0 ? double.NaN : commune.Max(s => Math.Max(s.MaxColumn, s.MaxText));
        Add("commune stored state, largest row (max of pg_column_size, text length)", communeBytes, "bytes", "≤ 64 KB", communeBytes <= StateTargetBytes);
        Add($"work-list page of {PageSize} p50 ({WorkListGets:N0} GETs at {Cursors} cursors spread over the list)", Load.Percentile(pages, 0.5), "ms");
        var pageP99 = Load.Percentile(pages, 0.99);
        Add($"work-list page of {PageSize} p99 ({WorkListGets:N0} GETs at {Cursors} cursors spread over the list)", pageP99, "ms", $"≤ {PageTargetMs} ms", pageP99 <= PageTargetMs);
        Add($"work-list walk, every page of {PageSize} once, p99", Load.Percentile(walk, 0.99), "ms");
        Add("work-list query straight in PostgreSQL at the same cursors, p50", Load.Percentile(direct.Ms, 0.5), "ms");
        Add("work-list query straight in PostgreSQL at the same cursors, p99", Load.Percentile(direct.Ms, 0.99), "ms");
        Add("dossiers counted by walking the work list", listed, "dossiers");
        // Each memory figure for both cities, and (where the issue sets the target) their ratio.
        void Both(string what, double empty, double history, string unit = "MiB")
        {
            Add($"{what}, empty city", empty, unit);
            Add($"{what}, history city", history, unit);
        }
        void Ratio(string what, double empty, double history) =>
            Add($"{what}, history / empty", history / empty, "ratio", $"≤ {MemoryRatioTarget}", history / empty <= MemoryRatioTarget);
        var idleFor = $"after {settings.Idle.TotalMinutes:0.#} min idle";
        Both("RSS after population", populated.A.RssMiB, populated.B.RssMiB);
        Both($"RSS {idleFor}", idle.A.RssMiB, idle.B.RssMiB);
        Ratio("RSS after idle", idle.A.RssMiB, idle.B.RssMiB);
        Both("managed heap after population", populated.A.HeapMiB, populated.B.HeapMiB);
        Both($"managed heap {idleFor}", idle.A.HeapMiB, idle.B.HeapMiB);
        Ratio("managed heap after idle", idle.A.HeapMiB, idle.B.HeapMiB);
        Both("RSS after idle and an induced full collection", collected.A.RssMiB, collected.B.RssMiB);
        Ratio("RSS after idle and an induced full collection", collected.A.RssMiB, collected.B.RssMiB);
        Both("managed heap after idle and an induced full collection", collected.A.HeapMiB, collected.B.HeapMiB);
        Ratio("managed heap after idle and an induced full collection", collected.A.HeapMiB, collected.B.HeapMiB);

        var section = new List<string>
        {
            $"Scale {settings.Scale:0.###} of the issue's history: {_casesFiled:N0} dossiers filed (plan {population.PlannedCases:N0}, " +
            $"{population.PlannedOpen:N0} left open), {_casesClosed:N0} closed, {_reportsResolved:N0} of {population.PlannedReports:N0} reports resolved, " +
            $"by {population.Citizens:N0} citizens and one official of Kim Long ({Commune}), through the HTTP API only" +
            (population.Complete ? "." : $"; the population stopped at its {PopulateLimit.TotalMinutes:0}-minute limit."),
            $"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}; both platforms (the shipped executable, role all, dashboard off), " +
            "PostgreSQL and the load generator share those cores on loopback. Each platform is its own process with its own database.",
            $"{population.Requests:N0} API requests in {population.Took.TotalMinutes:0.0} min ({population.Requests / population.Took.TotalSeconds:N0}/s with {Workers} workers); " +
            $"{_failures:N0} failed, {_retries:N0} retried" +
            (_failureKinds.IsEmpty ? "." : $": {string.Join("; ", _failureKinds.Select(f => $"{f.Value}× {f.Key}"))}.") +
            $" CPU meanwhile: history platform {population.PlatformCpu:N0} s, PostgreSQL {population.PostgresCpu:N0} s, load generator {population.LoadCpu:N0} s " +
            $"of {population.Took.TotalSeconds * Environment.ProcessorCount:N0} core-seconds; the machine's 1-minute load average was {population.LoadAverages} " +
            "(other work on the machine competes for the cores when it is above ~3).",
            $"The commune's indicators {(agrees ? "agreed" : "did NOT agree")} with what was created after {settledSeconds:0.#} s: {shown}.",
            $"GETs: {WarmupGets} warm-up then {TimedGets:N0} sequential GETs of each path on each city, interleaved A/B (order alternating), one at a time.",
            $"Memory: collection age {settings.CollectionAge.TotalMinutes:0.#} min in both processes from the start, {settings.Idle.TotalMinutes:0.#} min idle " +
            $"(not the issue's 15: the age is shortened accordingly); RSS from /proc/<pid>/status, managed heap from /metrics ({idle.B.HeapMetric}).",
            $"Stored grain state in the history city (rows, largest pg_column_size / text length in bytes): " +
            string.Join(", ", states.Select(s => $"{s.Type} {s.Rows:N0} rows, {s.MaxColumn:N0} / {s.MaxText:N0}")) + ".",
            $"The work-list query in PostgreSQL directly: slowest EXPLAIN ANALYZE at the {Cursors} cursors {direct.MaxExecutionMs:0.##} ms, plan {direct.Plan}.",
            $"What the population wrote in the history city's database (from pg_stat_user_tables): {database}.",
            $"Activations (orleans_catalog_activations) after population → after idle: empty city {populated.A.Activations:N0} → {idle.A.Activations:N0}, " +
            $"history city {populated.B.Activations:N0} → {idle.B.Activations:N0}; gen2 collections so far: empty city {populated.A.Gen2Collections:N0} → {idle.A.Gen2Collections:N0}, " +
            $"history city {populated.B.Gen2Collections:N0} → {idle.B.Gen2Collections:N0}; activations by class after idle: empty city {idle.A.Grains}; history city {idle.B.Grains}" +
            (idle.B.Gen2Collections == populated.B.Gen2Collections
                ? " (no full collection ran while idle: the heap gauge is the size after the last collection, and what the collected activations left stays until the next one)."
                : ".") +
            " The rows 'after idle and an induced full collection' come from a blocking full GC the bench asks of each process through the runtime's " +
            "diagnostics port (the GCHeapCollect keyword, as dotnet-gcdump does): the live set the platform really keeps, not what it does by itself.",
        };
        section = [.. section.Select(line => $"- {line}"), ""];
        section.AddRange(
        [
            "| figure | measured | target | met |",
            "| --- | ---: | --- | --- |",
        ]);
        section.AddRange(rows.Where(r => r.Met is not null).Select(r => $"| {r.Name} | {r.Measured} | {r.Target} | {(r.Met == true ? "met" : "missed")} |"));
        if (warnings.Count > 0)
            section.Add($"{Environment.NewLine}The history city's process logged (level: category[event] ×count; its whole output is in the temp directory): {string.Join(", ", warnings)}.");
        report.Section("W6 a city's history", section);
    }

    private static string Describe(Memory a, Memory b) =>
        $"RSS {a.RssMiB:N0} / {b.RssMiB:N0} MiB, heap {a.HeapMiB:N0} / {b.HeapMiB:N0} MiB, gen2 collections so far {a.Gen2Collections:N0} / {b.Gen2Collections:N0}, " +
        $"activations {a.Activations:N0} / {b.Activations:N0} (empty / history)";

    private const string CommunePath = $"/api/v1/communes/{Commune}", CityPath = "/api/v1/city";

    private async Task<Population> PopulateAsync(HttpClient http, Func<bool> alive, int platformPid, int postgresPort)
    {
        var closed = (int)Math.Round(ClosedCasesAtFullScale * _settings.Scale);
        var open = (int)Math.Round(OpenCasesAtFullScale * _settings.Scale);
        var reports = (int)Math.Round(ReportsAtFullScale * _settings.Scale);
        var total = closed + open;
        // About 25 dossiers and reports per citizen: a citizen's audit log and newest references stay small, as in a real city.
        var citizens = new (string Id, string Token)[Math.Max(Workers, (total + reports) / 25)];
        var planned = citizens.Length + total + 3L * closed + 2L * reports;
        Console.WriteLine($"    populating: {citizens.Length:N0} citizens, {total:N0} dossiers ({closed:N0} to close), {reports:N0} reports: {planned:N0} requests");
        var loadBefore = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        var (platformCpu, postgresCpu, loadCpu) = (CpuSeconds(platformPid), PostgresCpuSeconds(postgresPort), Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var progress = ProgressAsync(clock, planned, total, closed, reports, stop.Token);

        long next = -1;
        async Task ForAllAsync(long count, Func<long, Task> item) => await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
        {
            for (var k = Interlocked.Increment(ref next); k < count && clock.Elapsed < PopulateLimit && alive(); k = Interlocked.Increment(ref next)) await item(k);
        }));

        await ForAllAsync(citizens.Length, async i =>
        {
            var id = Keys.NewCitizenId();
            citizens[i] = (id, TokenIssuer.Issue(_auth, Roles.Citizen, citizenId: id));
            await PostAsync(http, "register citizen", "/api/v1/citizens", citizens[i].Token, new
            {
                fullName = $"Công dân {i}", dateOfBirth = "1985-05-17", nationalId = (300_000_000_000L + i).ToString(CultureInfo.InvariantCulture),
                phone = "0905123456", homeCommune = Commune,
            });
        });
        next = -1;
        // Dossiers first, then reports; the open dossiers are spread evenly through the filing order.
        await ForAllAsync(total + reports, async k =>
        {
            var citizen = citizens[k % citizens.Length];
            if (k < total)
            {
                var leaveOpen = k * open / total != (k + 1) * open / total;
                var (ok, location) = await PostAsync(http, "file dossier", "/api/v1/cases", citizen.Token,
                    new { procedure = "certified-copy", form = new { documentName = "Bằng tốt nghiệp", copies = "2" } }, $"w6-case-{k}");
                if (!ok) return;
                Interlocked.Increment(ref _casesFiled);
                if (leaveOpen) return;
                foreach (var status in CaseMoves)
                    if (!(await PostAsync(http, $"dossier → {status}", $"{location}/status", _official, new { status, note = "W6" })).Ok) return;
                Interlocked.Increment(ref _casesClosed);
            }
            else
            {
                var n = k - total;
                var (ok, location) = await PostAsync(http, "submit report", "/api/v1/feedback", citizen.Token,
                    new { category = Categories[n % Categories.Length], description = $"Phản ánh số {n}", commune = Commune }, $"w6-report-{n}");
                if (!ok) return;
                Interlocked.Increment(ref _reportsFiled);
                if ((await PostAsync(http, "resolve report", $"{location}/status", _official, new { status = "resolved", answer = "Đã xử lý xong." })).Ok)
                    Interlocked.Increment(ref _reportsResolved);
            }
        });
        var took = clock.Elapsed;
        (platformCpu, postgresCpu, loadCpu) = (CpuSeconds(platformPid) - platformCpu, PostgresCpuSeconds(postgresPort) - postgresCpu,
            Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - loadCpu);
        var loadAverages = $"{loadBefore} before, {File.ReadAllText("/proc/loadavg").Split(' ')[0]} after";
        await stop.CancelAsync();
        await progress;
        var complete = took < PopulateLimit;
        Console.WriteLine($"    populated in {took.TotalMinutes:0.0} min: {_requests:N0} requests ({_requests / took.TotalSeconds:N0}/s), {_failures:N0} failed, {_retries:N0} retried");
        Console.WriteLine($"    CPU during population: history platform {platformCpu:N0} s, PostgreSQL {postgresCpu:N0} s, load generator {loadCpu:N0} s; load average {loadAverages}");
        return new Population(citizens.Length, total, open, reports, Interlocked.Read(ref _requests), took, complete, platformCpu, postgresCpu, loadCpu, loadAverages);
    }

    private async Task ProgressAsync(Stopwatch clock, long planned, int total, int closed, int reports, CancellationToken stop)
    {
        var last = 0L;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var done = Interlocked.Read(ref _requests);
            var rate = (done - last) / 10.0;
            last = done;
            var eta = rate > 0 ? TimeSpan.FromSeconds((planned - done) / rate) : TimeSpan.Zero;
            Console.WriteLine(
                $"    {clock.Elapsed:mm\\:ss} {done:N0}/{planned:N0} requests, {rate:N0}/s now, {done / clock.Elapsed.TotalSeconds:N0}/s overall, ~{eta.TotalMinutes:0} min left; " +
                $"dossiers {_casesFiled:N0}/{total:N0} filed, {_casesClosed:N0}/{closed:N0} closed; reports {_reportsFiled:N0}/{reports:N0}, {_reportsResolved:N0} resolved; " +
                $"{_failures:N0} failed, {_retries:N0} retried");
        }
    }

    /// <summary>
    /// One POST with a bearer token; 5xx, 429 and broken connections are retried (creations carry an Idempotency-Key, and a
    /// 409 on a retry means the first attempt did it). Answers whether it succeeded and the Location of what it created.
    /// </summary>
    private async Task<(bool Ok, string? Location)> PostAsync(HttpClient http, string kind, string path, string token, object body, string? idempotencyKey = null)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
                request.Content.Headers.ContentType = JsonType;
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
                using var response = await http.SendAsync(request);
                Interlocked.Increment(ref _requests);
                if (response.IsSuccessStatusCode || (attempt > 1 && response.StatusCode == HttpStatusCode.Conflict))
                    return (true, response.Headers.Location?.OriginalString);
                var text = await response.Content.ReadAsStringAsync();
                failure = $"{kind}: {(int)response.StatusCode} {text[..Math.Min(160, text.Length)]}";
                if ((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests) return Failed(failure);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                failure = $"{kind}: {ex.GetType().Name} {ex.Message}";
            }
            if (attempt == 4) return Failed(failure);
            Interlocked.Increment(ref _retries);
            await Task.Delay(250 * attempt);
        }
    }

    private (bool, string?) Failed(string failure)
    {
        if (Interlocked.Increment(ref _failures) <= 5) Console.WriteLine($"    failed: {failure}");
        _failureKinds.AddOrUpdate(failure.Length > 120 ? failure[..120] : failure, 1, (_, n) => n + 1);
        return (false, null);
    }

    /// <summary>Waits (up to 2 minutes) until the commune and the city show what was created: events, then reconciles.</summary>
    private async Task<(double Seconds, bool Agrees, string Shown)> SettleAsync(HttpClient http)
    {
        var clock = Stopwatch.StartNew();
        var (filed, closed, reports, resolved) = (Interlocked.Read(ref _casesFiled), Interlocked.Read(ref _casesClosed), Interlocked.Read(ref _reportsFiled), Interlocked.Read(ref _reportsResolved));
        var shown = "";
        while (true)
        {
            using var commune = JsonDocument.Parse(await http.GetStringAsync(CommunePath));
            using var city = JsonDocument.Parse(await http.GetStringAsync(CityPath));
            var i = commune.RootElement.GetProperty("indicators");
            long N(JsonElement e, string name) => e.GetProperty(name).GetInt64();
            var c = city.RootElement.GetProperty("indicators");
            shown = $"casesReceived {N(i, "casesReceived"):N0}, openCases {N(i, "openCases"):N0}, resolvedCases {N(i, "resolvedCases"):N0}, " +
                    $"openFeedback {N(i, "openFeedback"):N0}, resolvedFeedback {N(i, "resolvedFeedback"):N0}; city casesReceived {N(c, "casesReceived"):N0}";
            var agrees = N(i, "casesReceived") == filed && N(i, "openCases") == filed - closed && N(i, "resolvedCases") == closed
                && N(i, "openFeedback") == reports - resolved && N(i, "resolvedFeedback") == resolved && N(c, "casesReceived") == filed;
            if (agrees || clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                Console.WriteLine($"    indicators after {clock.Elapsed.TotalSeconds:0.#} s ({(agrees ? "agree" : "DISAGREE")}): {shown}");
                return (clock.Elapsed.TotalSeconds, agrees, shown);
            }
            await Task.Delay(500);
        }
    }

    /// <summary>The public GETs on both cities, one request at a time, A and B interleaved in alternating order.</summary>
    private static async Task<Dictionary<(string Path, char City), (List<double> Ms, int Bytes)>> CompareGetsAsync(HttpClient empty, HttpClient history)
    {
        Console.WriteLine($"    GETs: {TimedGets:N0} of each path on each city, interleaved");
        var results = new Dictionary<(string, char), (List<double> Ms, int Bytes)>();
        foreach (var path in new[] { CommunePath, CityPath })
            foreach (var city in "AB") results[(path, city)] = (new List<double>(TimedGets), 0);
        for (var i = -WarmupGets; i < TimedGets; i++)
        {
            foreach (var path in new[] { CommunePath, CityPath })
            {
                foreach (var city in i % 2 == 0 ? "AB" : "BA")
                {
                    var start = Stopwatch.GetTimestamp();
                    using var response = await (city == 'A' ? empty : history).GetAsync(path);
                    var body = await response.Content.ReadAsByteArrayAsync();
                    var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    response.EnsureSuccessStatusCode();
                    if (i < 0) continue;
                    var (times, _) = results[(path, city)];
                    times.Add(ms);
                    results[(path, city)] = (times, body.Length);
                }
            }
        }
        foreach (var key in results.Keys.ToList()) results[key].Ms.Sort();
        return results;
    }

    private sealed record StoredState(string Type, long Rows, long MaxColumn, long MaxText);

    private static async Task<List<StoredState>> StoredStateAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""
            SELECT grain_type, count(*), COALESCE(max(pg_column_size(payload)), 0), COALESCE(max(length(payload::text)), 0)
            FROM hue_grain_state GROUP BY grain_type ORDER BY 4 DESC
            """, connection);
        var states = new List<StoredState>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            states.Add(new StoredState(reader.GetString(0), reader.GetInt64(1), Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture), reader.GetInt64(3)));
        Console.WriteLine($"    stored state: {string.Join(", ", states.Select(s => $"{s.Type} {s.Rows:N0} rows, max {s.MaxColumn:N0} / {s.MaxText:N0} bytes"))}");
        return states;
    }

    /// <summary>
    /// The official's work list: walked once page by page (every page timed, each cursor kept), then pages at cursors
    /// spread evenly over the whole list, at random.
    /// </summary>
    private async Task<(List<double> Walk, List<double> Pages, long Listed, List<string?> Cursors)> WorkListAsync(HttpClient http)
    {
        var all = new List<string?> { null };
        var walk = new List<double>();
        long listed = 0;
        for (string? cursor = null; ;)
        {
            var start = Stopwatch.GetTimestamp();
            using var page = JsonDocument.Parse(await GetAsync(http, ListPath(cursor)));
            walk.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            listed += page.RootElement.GetProperty("items").GetArrayLength();
            cursor = page.RootElement.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            if (cursor is null) break;
            all.Add(cursor);
        }
        walk.Sort();
        var spread = Enumerable.Range(0, Cursors).Select(i => all[(int)((long)i * all.Count / Cursors)]).Distinct().ToList();
        Console.WriteLine($"    work list: {listed:N0} dossiers in {all.Count:N0} pages; {WorkListGets:N0} pages at {spread.Count} cursors");
        var random = new Random(6);
        var pages = new List<double>(WorkListGets);
        for (var i = 0; i < WorkListGets; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await GetAsync(http, ListPath(spread[random.Next(spread.Count)]));
            pages.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        pages.Sort();
        return (walk, pages, listed, spread);
    }

    private sealed record DirectList(List<double> Ms, double MaxExecutionMs, string Plan);

    /// <summary>
    /// The platform's own work-list query (PostgresProjectionStore.CasesAsync) straight against PostgreSQL at the same
    /// cursors: EXPLAIN ANALYZE at each, then as many timed queries as the HTTP pages, to tell the database's share of a page.
    /// </summary>
    private static async Task<DirectList> DirectListAsync(string connectionString, List<string?> cursors)
    {
        const string Columns = "id, version, commune, procedure, citizen_id, status, filed_at, due_at, completed_at, closed_at, overdue, updated_at";
        NpgsqlCommand Query(NpgsqlConnection connection, string? cursor, bool explain)
        {
            var sql = $"{(explain ? "EXPLAIN (ANALYZE, FORMAT JSON) " : "")}SELECT {Columns} FROM hue_cases WHERE true AND commune = $1";
            var command = new NpgsqlCommand { Connection = connection };
            command.Parameters.Add(new NpgsqlParameter { Value = Commune });
            if (cursor is not null)
            {
                var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(
                    cursor.Replace('-', '+').Replace('_', '/').PadRight((cursor.Length + 3) / 4 * 4, '=')));
                var parts = text.Split('|', 2);
                sql += " AND (filed_at, id) < ($2, $3)";
                command.Parameters.Add(new NpgsqlParameter { Value = new DateTimeOffset(long.Parse(parts[0], CultureInfo.InvariantCulture), TimeSpan.Zero) });
                command.Parameters.Add(new NpgsqlParameter { Value = parts[1] });
            }
            command.CommandText = sql + $" ORDER BY filed_at DESC, id DESC LIMIT {PageSize + 1}";
            return command;
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var maxExecution = 0.0;
        var plan = "";
        foreach (var cursor in cursors)
        {
            await using var explain = Query(connection, cursor, explain: true);
            using var json = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
            var root = json.RootElement[0];
            var execution = root.GetProperty("Execution Time").GetDouble();
            if (execution < maxExecution) continue;
            maxExecution = execution;
            var nodes = new List<string>();
            for (var node = root.GetProperty("Plan"); ; node = node.GetProperty("Plans")[0])
            {
                nodes.Add(node.GetProperty("Node Type").GetString() + (node.TryGetProperty("Index Name", out var index) ? $" using {index.GetString()}" : ""));
                if (!node.TryGetProperty("Plans", out _)) break;
            }
            plan = string.Join(" → ", nodes);
        }
        var random = new Random(7);
        var times = new List<double>(WorkListGets);
        for (var i = 0; i < WorkListGets; i++)
        {
            await using var command = Query(connection, cursors[random.Next(cursors.Count)], explain: false);
            var start = Stopwatch.GetTimestamp();
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync()) _ = reader.GetValue(0);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"    the list query in PostgreSQL directly: p50 {Load.Percentile(times, 0.5):F2} ms, p99 {Load.Percentile(times, 0.99):F2} ms; slowest EXPLAIN ANALYZE {maxExecution:F2} ms ({plan})");
        return new DirectList(times, maxExecution, plan);
    }

    /// <summary>What the population wrote (rows inserted, updated, deleted per table) and how big the largest tables are.</summary>
    private static async Task<string> DatabaseActivityAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""
            SELECT relname, n_tup_ins, n_tup_upd, n_tup_del, pg_total_relation_size(relid)
            FROM pg_stat_user_tables ORDER BY n_tup_ins + n_tup_upd + n_tup_del DESC LIMIT 8
            """, connection);
        var rows = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add($"{reader.GetString(0)} {reader.GetInt64(1):N0} inserted / {reader.GetInt64(2):N0} updated / {reader.GetInt64(3):N0} deleted, {reader.GetInt64(4) / 1024.0 / 1024:N0} MiB");
        var text = string.Join("; ", rows);
        Console.WriteLine($"    database: {text}");
        return text;
    }

    private static string ListPath(string? cursor) =>
        $"/api/v1/communes/{Commune}/cases?limit={PageSize}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");

    private async Task<string> GetAsync(HttpClient http, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _official);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>
    /// A blocking full collection in another .NET process: an EventPipe session with the runtime's GCHeapCollect keyword
    /// (0x800000) makes it collect, as dotnet-gcdump does.
    /// </summary>
    private static async Task InduceFullCollectionAsync(int pid)
    {
        var client = new Microsoft.Diagnostics.NETCore.Client.DiagnosticsClient(pid);
        using var session = client.StartEventPipeSession(
            new Microsoft.Diagnostics.NETCore.Client.EventPipeProvider("Microsoft-Windows-DotNETRuntime", System.Diagnostics.Tracing.EventLevel.Informational, 0x800000 | 0x1),
            requestRundown: false);
        var drain = session.EventStream.CopyToAsync(Stream.Null);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await session.StopAsync(CancellationToken.None);
        try
        {
            await drain;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>utime + stime of one process, in seconds (100 clock ticks a second on Linux).</summary>
    private static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / 100;
        }
        catch (IOException)
        {
            return 0; // the process is gone
        }
    }

    /// <summary>The CPU of this run's PostgreSQL server only (its postmaster on the port, and the postmaster's children), in seconds.</summary>
    private static double PostgresCpuSeconds(int port)
    {
        var stats = new List<(int Pid, int Parent, string Command)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                stats.Add((pid, parent, File.ReadAllText(Path.Combine(dir, "cmdline"))));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
        var portArgument = $"\0-p\0{port.ToString(CultureInfo.InvariantCulture)}\0";
        var postmaster = stats.FirstOrDefault(s => s.Command.Contains("postgres", StringComparison.Ordinal) && s.Command.Contains(portArgument, StringComparison.Ordinal)).Pid;
        return postmaster == 0 ? double.NaN : stats.Where(s => s.Pid == postmaster || s.Parent == postmaster).Sum(s => CpuSeconds(s.Pid));
    }

    /// <summary>Resident memory of the process, and the managed heap as the platform's /metrics reports it.</summary>
    private static async Task<Memory> MemoryAsync(SiloProcess process)
    {
        var rssKb = File.ReadLines($"/proc/{process.ProcessId}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).Single();
        var (metrics, samples) = ParseMetrics(await process.MetricsAsync());
        var gen2 = samples.Where(s => s.Key.StartsWith("dotnet_gc_collections_total{", StringComparison.Ordinal) && s.Key.Contains("gen2", StringComparison.Ordinal))
            .Sum(s => s.Value);
        var activations = metrics.GetValueOrDefault("orleans_catalog_activations", double.NaN);
        // orleans_grains{type="…"}: activations by grain class.
        var grains = string.Join(", ", samples.Where(s => s.Key.StartsWith("orleans_grains{", StringComparison.Ordinal) && s.Value > 0)
            .OrderByDescending(s => s.Value).Select(s => $"{GrainTypeLabel().Match(s.Key).Groups[1].Value.Split('.')[^1]} {s.Value:N0}"));
        if (double.IsNaN(activations) && Interlocked.Exchange(ref _metricNamesShown, 1) == 0)
            Console.WriteLine($"    metrics about activations: {string.Join(", ", metrics.Keys.Where(k => k.Contains("activation", StringComparison.Ordinal)))}");
        foreach (var name in new[] { "dotnet_gc_last_collection_heap_size_bytes", "process_runtime_dotnet_gc_heap_size_bytes" })
        {
            if (metrics.TryGetValue(name, out var bytes)) return new Memory(rssKb / 1024, bytes / 1024 / 1024, name, gen2, activations, grains);
        }
        Console.WriteLine($"    no heap gauge in /metrics; GC metrics there: {string.Join(", ", metrics.Keys.Where(k => k.Contains("gc", StringComparison.Ordinal)))}");
        return new Memory(rssKb / 1024, double.NaN, "none", gen2, activations, grains);
    }

    [System.Text.RegularExpressions.GeneratedRegex("type=\"([^\"]*)\"")]
    private static partial System.Text.RegularExpressions.Regex GrainTypeLabel();

    private static int _metricNamesShown;

    /// <summary>Prometheus text: each metric's samples summed over their labels (the heap over its generations), and each sample.</summary>
    private static (Dictionary<string, double> Sums, Dictionary<string, double> Samples) ParseMetrics(string text)
    {
        var sums = new Dictionary<string, double>();
        var samples = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var labels = line.IndexOf('{', StringComparison.Ordinal);
            var nameEnd = labels >= 0 ? labels : line.IndexOf(' ', StringComparison.Ordinal);
            if (nameEnd <= 0) continue;
            var afterLabels = labels >= 0 ? line.IndexOf('}', labels) + 1 : nameEnd;
            var parts = line[afterLabels..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) continue;
            var name = line[..nameEnd];
            sums[name] = sums.GetValueOrDefault(name) + value;
            samples[line[..afterLabels]] = value;
        }
        return (sums, samples);
    }
}
