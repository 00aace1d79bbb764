using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace HueGrains.Bench;

/// <summary>
/// W2 alerts (issue 17): a gauge in Kim Long crosses BĐ2 and clears, again and again, under background ingest. The
/// alert path (acknowledgement → the alert in the commune's and the city's views) is timed first with nobody living
/// there, then with 1,000 registered residents whose inboxes the fan-out fills: the path must not slow down, and every
/// inbox must hold the alert within 5 s (counted in the silo's own database).
/// </summary>
public static class AlertPath
{
    private const string KimLong = "19774";
    private const int Residents = 1000;
    private const int Cycles = 10;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(Report report, ShippedSilo silo, Func<TimeSpan, Task<Generator>> background)
    {
        Console.WriteLine($"W2 alerts: a BĐ2 gauge in Kim Long, {Cycles} alerts without residents, then {Residents:N0} residents");
        using var http = Http.Client($"http://127.0.0.1:{silo.Process.HttpPort}");
        var (gauge, key) = await ProvisionGaugeAsync(http, silo);
        var alone = await CyclesAsync(http, silo, gauge, key, background, residents: 0);
        await RegisterResidentsAsync(http, silo);
        var lived = await CyclesAsync(http, silo, gauge, key, background, Residents);

        foreach (var (name, pick) in new (string, Func<Cycle, double>)[] { ("commune", c => c.Commune), ("city", c => c.City) })
        {
            report.Add("W2", $"alert: ack → {name} view p50, no residents", [Percentile(alone, pick, 0.5)], "ms");
            report.Add("W2", $"alert: ack → {name} view p50, {Residents:N0} residents", [Percentile(lived, pick, 0.5)], "ms");
            report.Add("W2", $"alert: ack → {name} view p99, no residents", [Percentile(alone, pick, 0.99)], "ms");
            report.Add("W2", $"alert: ack → {name} view p99, {Residents:N0} residents", [Percentile(lived, pick, 0.99)], "ms");
            report.Add("W2", $"alert: ack → {name} view p50, with / without residents",
                [Percentile(lived, pick, 0.5) / Percentile(alone, pick, 0.5)], "ratio", "≈ 1 (unchanged)");
        }
        report.Add("W2", $"alert: ack → all {Residents:N0} inboxes p50", [Percentile(lived, c => c.Inboxes, 0.5)], "ms");
        report.Add("W2", $"alert: ack → all {Residents:N0} inboxes, slowest of {Cycles}", [lived.Max(c => c.Inboxes)], "ms", "≤ 5,000 ms");
    }

    private sealed record Cycle(double Commune, double City, double Inboxes);

    private static double Percentile(List<Cycle> cycles, Func<Cycle, double> pick, double p) => Load.Percentile([.. cycles.Select(pick).Order()], p);

    private static async Task<(string Id, string Key)> ProvisionGaugeAsync(HttpClient http, ShippedSilo silo)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sensors")
        {
            Content = new StringContent($"id,kind,unit,commune,latitude,longitude\nalert-gauge,water-level,m,{KimLong},16.46,107.55\n", Encoding.UTF8, "text/csv"),
        };
        request.Headers.Authorization = new("Bearer", silo.Token(Roles.Operator));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var row = answer.RootElement.GetProperty("results")[0];
        return (row.GetProperty("id").GetString()!, row.GetProperty("deviceKey").GetString()!);
    }

    /// <summary>Residents register through the API as the app does, 50 at a time; each hears of Kim Long's alerts.</summary>
    private static async Task RegisterResidentsAsync(HttpClient http, ShippedSilo silo)
    {
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Residents), new ParallelOptions { MaxDegreeOfParallelism = 50 }, async (i, ct) =>
        {
            var id = Keys.NewCitizenId();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/citizens")
            {
                Content = JsonContent.Create(new
                {
                    fullName = "Lê Văn Bình", dateOfBirth = "1985-01-01", nationalId = $"0461{i:D8}", phone = "0905000222", homeCommune = KimLong,
                }),
            };
            request.Headers.Authorization = new("Bearer", silo.Token(Roles.Citizen, id));
            using var response = await http.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
        });
        Console.WriteLine($"    {Residents:N0} residents registered in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private static async Task<List<Cycle>> CyclesAsync(HttpClient http, ShippedSilo silo, string gauge, string key,
        Func<TimeSpan, Task<Generator>> background, int residents)
    {
        await using var load = await background(TimeSpan.FromSeconds(Cycles * 4 + 10));
        await load.GoAsync();
        await using var db = new NpgsqlConnection(silo.Database);
        await db.OpenAsync();
        var cycles = new List<Cycle>();
        for (var i = 0; i < Cycles; i++)
        {
            var before = await InboxCountAsync(db, gauge);
            var value = 2.1 + i * 1e-3; // BĐ2 at Kim Long's default thresholds
            var acked = await PostReadingAsync(http, gauge, key, value);
            var commune = await UntilAsync(acked, () => HasAlertAsync(http, $"/api/v1/communes/{KimLong}", gauge, value));
            var city = await UntilAsync(acked, () => HasAlertAsync(http, "/api/v1/city", gauge, value));
            var inboxes = residents == 0 ? 0 : await UntilAsync(acked, async () => await InboxCountAsync(db, gauge) >= before + residents);
            cycles.Add(new Cycle(commune, city, inboxes));
            Console.WriteLine($"    alert {i + 1}: commune {commune:0} ms, city {city:0} ms" + (residents == 0 ? "" : $", {residents:N0} inboxes {inboxes:0} ms"));
            var cleared = await PostReadingAsync(http, gauge, key, 0.3);
            await UntilAsync(cleared, async () => !await HasAlertAsync(http, $"/api/v1/communes/{KimLong}", gauge, null));
            await Task.Delay(500);
        }
        return cycles;
    }

    /// <summary>Posts one reading as its device does, now; answers the timestamp of its acknowledgement.</summary>
    internal static async Task<long> PostReadingAsync(HttpClient http, string gauge, string key, double value)
    {
        using var post = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sensors/{gauge}/readings") { Content = JsonContent.Create(new { at = DateTimeOffset.UtcNow, value }) };
        post.Headers.Add("X-Device-Key", key);
        (await http.SendAsync(post)).EnsureSuccessStatusCode();
        return Stopwatch.GetTimestamp();
    }

    /// <summary>Milliseconds from <paramref name="since"/> until the condition holds (polled every 2 ms); the patience if never.</summary>
    private static async Task<double> UntilAsync(long since, Func<Task<bool>> condition)
    {
        while (Stopwatch.GetElapsedTime(since) < Patience)
        {
            if (await condition()) return Stopwatch.GetElapsedTime(since).TotalMilliseconds;
            await Task.Delay(2);
        }
        Console.WriteLine("    (not seen within the patience)");
        return Patience.TotalMilliseconds;
    }

    /// <summary>Whether a view lists the gauge's active alert (at this value, when given).</summary>
    private static async Task<bool> HasAlertAsync(HttpClient http, string path, string gauge, double? value)
    {
        using var view = JsonDocument.Parse(await http.GetStringAsync(path));
        return view.RootElement.GetProperty("activeAlerts").EnumerateArray().Any(a => a.GetProperty("sensorId").GetString() == gauge
            && (value is null || Math.Abs(a.GetProperty("value").GetDouble() - value.Value) < 1e-9));
    }

    private static async Task<long> InboxCountAsync(NpgsqlConnection db, string gauge)
    {
        await using var count = new NpgsqlCommand("SELECT count(*) FROM hue_notifications WHERE kind = 'alert' AND entity_id LIKE '%' || $1", db);
        count.Parameters.AddWithValue(gauge);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
