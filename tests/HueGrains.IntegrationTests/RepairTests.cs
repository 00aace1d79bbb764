using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HueGrains.Api;
using HueGrains.Api.Auth;
using HueGrains.Testing;
using Xunit.Abstractions;

namespace HueGrains.IntegrationTests;

/// <summary>
/// A silo killed while dossiers and reports are filed and moved: the communes repair themselves from the projections,
/// so their indicators equal a recount in SQL and their work lists hold everything acknowledged, within seconds.
/// </summary>
[Collection(PostgresCollection.Name)]
public class RepairTests(PostgresServer postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan RepairBudget = TimeSpan.FromSeconds(30);
    private static readonly ServiceCounts Nothing = ServiceCounts.Sum([]);

    private static string Token(string role, string? commune = null, string? citizenId = null) =>
        TokenIssuer.Issue(new HueAuthOptions { SigningKey = DurablePlatform.SigningKey }, role, commune, citizenId);

    [Fact]
    public async Task A_killed_silo_is_repaired_within_30_s_every_commune_and_the_city_equal_the_recount_and_every_acknowledged_item_is_in_its_work_list()
    {
        var (db, cluster) = (await postgres.CreateDatabaseAsync(), $"c{Guid.NewGuid():N}");
        await using var a = await Processes.StartAsync("silo", db, cluster);
        await using var b = await Processes.StartAsync("silo", db, cluster);
        await using var api = await Processes.StartAsync("api", db, cluster);

        var communes = Enumerable.Range(0, 5).Select(i => CityMap.Communes[i * 8].Code).ToList();
        var citizens = new List<(string Id, string Commune)>();
        var registrar = Processes.Client(api);
        for (var i = 0; i < 20; i++)
        {
            var (id, commune) = (Keys.NewCitizenId(), communes[i % communes.Count]);
            var nationalId = (46_190_000_000L + Random.Shared.NextInt64(1_000_000_000)).ToString("D12", System.Globalization.CultureInfo.InvariantCulture);
            var (status, _, text) = await SendAsync(registrar, HttpMethod.Post, "/api/v1/citizens", Token(Roles.Citizen, citizenId: id),
                new { fullName = $"Nguyễn Văn {i}", dateOfBirth = "1990-03-15", nationalId, phone = "0905123456", homeCommune = commune });
            Assert.True(status == (int)HttpStatusCode.Created, $"{status}: {text}");
            citizens.Add((id, commune));
        }

        var load = new FilingLoad(() => Processes.Client(api), citizens, workers: 5);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(4));
        while (load.Acknowledged < 20 && load.Elapsed < 30) await Task.Delay(100); // a slow machine: filing is under way first
        Assert.True(load.Acknowledged >= 20, $"only {load.Acknowledged} items were acknowledged before the kill");
        var (killedAt, ackedBefore) = (load.Elapsed, load.Acknowledged);
        a.Kill();
        await Task.Delay(TimeSpan.FromSeconds(5));
        stop.Cancel();
        await running;
        var stoppedAfter = load.Elapsed - killedAt;

        // The first moment every commune equals the recount and every work list holds every acknowledged item.
        var staff = Processes.Client(api, Roles.Operator);
        List<string> differences;
        var lastSummary = "";
        while (true)
        {
            differences = await DifferencesAsync(staff, db, communes, load.Items);
            var inLists = differences.Count(d => d.Contains("work list", StringComparison.Ordinal));
            var summary = differences.Count == 0 ? "all hold"
                : $"{differences.Count - inLists} indicator and {inLists} work-list differences, first: {differences[0]}";
            if (summary != lastSummary) output.WriteLine($"{load.Elapsed - killedAt,5:F1} s after the kill: {summary}");
            lastSummary = summary;
            if (differences.Count == 0 || load.Elapsed - killedAt > RepairBudget.TotalSeconds) break;
            await Task.Delay(500);
        }
        var repairedAfter = load.Elapsed - killedAt;

        var acked = load.Items.ToList();
        var answers = string.Join(", ", load.Answers.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}: {s.Value}"));
        output.WriteLine($"killed silo A at {killedAt:F1} s; workers stopped {stoppedAfter:F1} s after the kill; "
            + (differences.Count == 0 ? $"repaired {repairedAfter:F1} s after the kill" : $"NOT repaired {repairedAfter:F1} s after the kill"));
        output.WriteLine($"acknowledged {acked.Count(x => x.Kind == Kind.Case)} dossiers and {acked.Count(x => x.Kind == Kind.Report)} reports, "
            + $"{ackedBefore} before the kill, {acked.Count(x => x.AckedAt > killedAt)} after it; answers {answers}");
        foreach (var unexpected in load.Unexpected.Take(5)) output.WriteLine($"unexpected answer: {unexpected}");
        foreach (var (code, counts) in (await Recount.CommunesAsync(db, DateTimeOffset.UtcNow)).OrderBy(c => c.Key, StringComparer.Ordinal))
            output.WriteLine($"recount {code}: {counts}");

        Assert.True(differences.Count == 0, $"not repaired {repairedAfter:F1} s after the kill:\n{string.Join('\n', differences)}");
        Assert.True(repairedAfter <= RepairBudget.TotalSeconds, $"repaired only {repairedAfter:F1} s after the kill");
        Assert.True(acked.Any(x => x.AckedAt > killedAt + 1), $"nothing was acknowledged later than 1 s after the kill: {answers}");
        Assert.DoesNotContain(load.Answers.Keys, k => k.EndsWith(" 500", StringComparison.Ordinal));
    }

    /// <summary>What differs now between each commune and the recount, and between the work lists and what was acknowledged.</summary>
    private static async Task<List<string>> DifferencesAsync(HttpClient staff, string db, IReadOnlyList<string> communes, IReadOnlyCollection<Item> items)
    {
        var differences = new List<string>();
        var recount = await Recount.CommunesAsync(db, DateTimeOffset.UtcNow);
        differences.AddRange(recount.Keys.Except(communes).Select(c => $"{c}: has dossiers or reports, though none was filed there"));

        // The city hears from its communes over a stream too: each commune's line in the city view equals the recount.
        var (cityStatus, city, cityText) = await SendAsync(staff, HttpMethod.Get, "/api/v1/city", null, null);
        if (cityStatus != (int)HttpStatusCode.OK) differences.Add($"city: GET answered {cityStatus}: {cityText}");
        else
            foreach (var line in city.GetProperty("communes").EnumerateArray().Where(c => communes.Contains(c.GetProperty("code").GetString()!)))
            {
                var code = line.GetProperty("code").GetString()!;
                var inCity = ServiceCounts.Of(JsonSerializer.Deserialize<Indicators>(line.GetProperty("indicators"), HueJson.Options)!);
                if (inCity != (recount.GetValueOrDefault(code) ?? Nothing)) differences.Add($"city's line for {code}: {inCity}, recount {recount.GetValueOrDefault(code)}");
            }
        foreach (var code in communes)
        {
            var (status, view, text) = await SendAsync(staff, HttpMethod.Get, $"/api/v1/communes/{code}", null, null);
            if (status != (int)HttpStatusCode.OK)
            {
                differences.Add($"{code}: GET answered {status}: {text}");
                continue;
            }
            var (expected, actual) = (recount.GetValueOrDefault(code) ?? Nothing,
                ServiceCounts.Of(JsonSerializer.Deserialize<Indicators>(view.GetProperty("indicators"), HueJson.Options)!));
            differences.AddRange(typeof(ServiceCounts).GetProperties()
                .Where(p => !Equals(p.GetValue(expected), p.GetValue(actual)))
                .Select(p => $"{code} {p.Name}: recount {p.GetValue(expected)}, commune {p.GetValue(actual)}"));

            foreach (var (kind, list) in new[] { (Kind.Case, "cases"), (Kind.Report, "feedback") })
            {
                var listed = await WorkListAsync(staff, $"/api/v1/communes/{code}/{list}");
                if (listed is null)
                {
                    differences.Add($"{code} {list}: the work list did not answer");
                    continue;
                }
                var mine = items.Where(x => x.Kind == kind && x.Commune == code).ToList();
                var missing = mine.Where(x => !listed.ContainsKey(x.Id)).Select(x => x.Id).ToList();
                if (missing.Count > 0)
                    differences.Add($"{code} {list}: {missing.Count} of {mine.Count} acknowledged missing from the work list, e.g. {string.Join(", ", missing.Take(3))}");
                // A move that was acknowledged (and not followed by one whose outcome is unknown) shows in the list.
                var stale = mine.Where(x => !x.Unsure && listed.TryGetValue(x.Id, out var s) && s != x.Status).Select(x => $"{x.Id} {listed[x.Id]} (acknowledged {x.Status})").ToList();
                if (stale.Count > 0) differences.Add($"{code} {list}: {stale.Count} with a status in the work list other than the acknowledged one, e.g. {string.Join(", ", stale.Take(3))}");
            }
        }
        return differences;
    }

    /// <summary>Every page of a commune's work list: id → status, or null when a page did not answer.</summary>
    private static async Task<Dictionary<string, string>?> WorkListAsync(HttpClient staff, string path)
    {
        var listed = new Dictionary<string, string>();
        string? cursor = null;
        do
        {
            var (status, page, _) = await SendAsync(staff, HttpMethod.Get, $"{path}?limit=1000{(cursor is null ? "" : $"&cursor={cursor}")}", null, null);
            if (status != (int)HttpStatusCode.OK) return null;
            foreach (var item in page.GetProperty("items").EnumerateArray())
                listed[item.GetProperty("id").GetString()!] = item.GetProperty("status").GetString()!;
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.String ? page.GetProperty("nextCursor").GetString() : null;
        }
        while (cursor is not null);
        return listed;
    }

    /// <summary>One request: its status (0 when the connection failed, -1 when it hung past the client's timeout) and body.</summary>
    private static async Task<(int Status, JsonElement Body, string Text)> SendAsync(
        HttpClient http, HttpMethod method, string path, string? token, object? body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (body is not null) request.Content = JsonContent.Create(body);
        try
        {
            using var response = await http.SendAsync(request, CancellationToken.None);
            var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
            return ((int)response.StatusCode, response.IsSuccessStatusCode && text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default, text);
        }
        catch (HttpRequestException ex)
        {
            return (0, default, ex.Message);
        }
        catch (TaskCanceledException ex)
        {
            return (-1, default, ex.Message);
        }
    }

    private enum Kind { Case, Report }

    /// <summary>An acknowledged (201) dossier or report, and its last acknowledged status.</summary>
    private sealed class Item(Kind kind, string id, string commune, string citizenToken, double ackedAt, string status)
    {
        public Kind Kind { get; } = kind;
        public string Id { get; } = id;
        public string Commune { get; } = commune;
        public string CitizenToken { get; } = citizenToken;
        public double AckedAt { get; } = ackedAt;
        public string Status { get; set; } = status;

        /// <summary>A move went unanswered (503, timeout): whether it took effect is read back before the next one.</summary>
        public bool Unsure { get; set; }

        public bool IsOpen => Status is not ("returned" or "refused" or "cancelled" or "closed");
    }

    /// <summary>
    /// Workers that each own some citizens: file a dossier and a report per round (with an Idempotency-Key, retried on
    /// 503 or a lost connection), and move one dossier and one report along (an official of the commune, the reporter).
    /// </summary>
    private sealed class FilingLoad(Func<HttpClient> client, IReadOnlyList<(string Id, string Commune)> citizens, int workers)
    {
        private readonly ConcurrentBag<Item> _items = [];
        private readonly ConcurrentDictionary<string, int> _answers = new();
        private readonly ConcurrentQueue<string> _unexpected = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public IReadOnlyCollection<Item> Items => _items;
        public int Acknowledged => _items.Count;

        /// <summary>How often each operation got each answer, e.g. "file-case 201".</summary>
        public IReadOnlyDictionary<string, int> Answers => _answers;

        public IEnumerable<string> Unexpected => _unexpected;
        public double Elapsed => _clock.Elapsed.TotalSeconds;

        public Task RunAsync(CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, workers).Select(w => WorkAsync(w, stop)));

        private async Task WorkAsync(int worker, CancellationToken stop)
        {
            var http = client();
            http.Timeout = TimeSpan.FromSeconds(10); // the API gives up on a grain call after 5 s
            var random = new Random(worker);
            var mine = citizens.Where((_, i) => i % workers == worker).ToList();
            var officials = mine.Select(c => c.Commune).Distinct().ToDictionary(c => c, c => Token(Roles.Official, c));
            var cases = new List<Item>();
            var reports = new List<Item>();
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var (citizenId, commune) = mine[n % mine.Count];
                var citizen = Token(Roles.Citizen, citizenId: citizenId);
                if (await CreateAsync(http, Kind.Case, commune, citizen, "/api/v1/cases",
                        new { procedure = "certified-copy", commune, form = new { documentName = $"Học bạ {n}", copies = "1" } }, "received", stop) is { } filed)
                    cases.Add(filed);
                if (await CreateAsync(http, Kind.Report, commune, citizen, "/api/v1/feedback",
                        new { category = "urban-order", description = $"Lấn chiếm vỉa hè, lần {n}", commune }, "submitted", stop) is { } submitted)
                    reports.Add(submitted);

                var open = cases.Where(c => c.IsOpen).ToList();
                if (open.Count > 0) await MoveCaseAsync(http, open[random.Next(open.Count)], officials, random);
                open = reports.Where(r => r.IsOpen).ToList();
                if (open.Count > 0) await MoveReportAsync(http, open[random.Next(open.Count)], officials, random);
            }
        }

        private async Task<Item?> CreateAsync(HttpClient http, Kind kind, string commune, string citizen, string path, object body, string status, CancellationToken stop)
        {
            var key = Guid.NewGuid().ToString("N");
            var operation = kind == Kind.Case ? "file-case" : "submit-report";
            for (var attempt = 1; ; attempt++)
            {
                var (answer, created, text) = await SendCountedAsync(http, operation, HttpMethod.Post, path, citizen, body, key);
                if (answer == (int)HttpStatusCode.Created)
                {
                    var item = new Item(kind, created.GetProperty("id").GetString()!, commune, citizen, Elapsed, status);
                    _items.Add(item);
                    return item;
                }
                if (answer is not (0 or -1 or (int)HttpStatusCode.ServiceUnavailable) || attempt == 5 || stop.IsCancellationRequested)
                {
                    if (answer is not (0 or -1 or (int)HttpStatusCode.ServiceUnavailable)) _unexpected.Enqueue($"{operation} {answer}: {text}");
                    return null; // not acknowledged: it may exist or not, the recount and the commune must agree either way
                }
                await Task.Delay(200 * attempt, CancellationToken.None);
            }
        }

        private async Task MoveCaseAsync(HttpClient http, Item dossier, Dictionary<string, string> officials, Random random)
        {
            var official = officials[dossier.Commune];
            if (dossier.Unsure && !await ReadBackAsync(http, dossier, $"/api/v1/cases/{dossier.Id}", official)) return;
            var next = dossier.Status switch
            {
                "received" => "processing",
                "processing" => random.Next(5) == 0 ? "refused" : "ready-to-return",
                "ready-to-return" => "returned",
                _ => null,
            };
            if (next is null) return;
            await MoveAsync(http, "move-case", dossier, $"/api/v1/cases/{dossier.Id}/status", official, new { status = next, note = "Đã xử lý" }, next);
        }

        private async Task MoveReportAsync(HttpClient http, Item report, Dictionary<string, string> officials, Random random)
        {
            var official = officials[report.Commune];
            if (report.Unsure && !await ReadBackAsync(http, report, $"/api/v1/feedback/{report.Id}", null)) return;
            switch (report.Status)
            {
                case "submitted" when random.Next(2) == 0:
                    await MoveAsync(http, "move-report", report, $"/api/v1/feedback/{report.Id}/status", official, new { status = "in-progress" }, "in-progress");
                    break;
                case "submitted" or "in-progress":
                    await MoveAsync(http, "move-report", report, $"/api/v1/feedback/{report.Id}/status", official,
                        new { status = "resolved", answer = "Đã giải tỏa vỉa hè" }, "resolved");
                    break;
                case "resolved":
                    await MoveAsync(http, "rate-report", report, $"/api/v1/feedback/{report.Id}/rating", report.CitizenToken,
                        new { rating = 1 + random.Next(5) }, "closed");
                    break;
            }
        }

        private async Task MoveAsync(HttpClient http, string operation, Item item, string path, string token, object body, string next)
        {
            var (answer, _, text) = await SendCountedAsync(http, operation, HttpMethod.Post, path, token, body);
            if (answer == (int)HttpStatusCode.OK)
            {
                item.Status = next;
                item.Unsure = false;
                return;
            }
            item.Unsure = true;
            if (answer is not (0 or -1 or (int)HttpStatusCode.ServiceUnavailable)) _unexpected.Enqueue($"{operation} {answer}: {text}");
        }

        /// <summary>After an unanswered move: the item's status as stored, so the next move starts from where it is.</summary>
        private async Task<bool> ReadBackAsync(HttpClient http, Item item, string path, string? token)
        {
            var (answer, view, _) = await SendCountedAsync(http, "read-back", HttpMethod.Get, path, token, null);
            if (answer != (int)HttpStatusCode.OK) return false;
            item.Status = view.GetProperty("status").GetString()!;
            item.Unsure = false;
            return true;
        }

        private async Task<(int Status, JsonElement Body, string Text)> SendCountedAsync(
            HttpClient http, string operation, HttpMethod method, string path, string? token, object? body, string? idempotencyKey = null)
        {
            var result = await SendAsync(http, method, path, token, body, idempotencyKey);
            _answers.AddOrUpdate($"{operation} {result.Status}", 1, (_, c) => c + 1);
            return result;
        }
    }
}
