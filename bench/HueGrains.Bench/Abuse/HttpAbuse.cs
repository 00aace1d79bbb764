using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HueGrains.Api.Auth;
using HueGrains.Testing;

namespace HueGrains.Bench.Abuse;

/// <summary>
/// Issue 14, items 7 and 8, re-run against a shipped platform process on loopback: what an anonymous client (or one
/// with a made-up device key) makes it activate, and how big its answers to oversized bodies are. Bounded: a few
/// hundred requests, bodies of 1 MB at most.
/// </summary>
public static class HttpAbuse
{
    private const string Workload = "abuse";

    /// <param name="silo">A running platform (role all or api) whose signing key is <paramref name="signingKey"/>.</param>
    /// <param name="open311Requests">Open311 lookups of 220 random ids each (the issue sent 100).</param>
    public static async Task RunAsync(Report report, SiloProcess silo, string signingKey, int open311Requests = 100, CancellationToken ct = default)
    {
        using var http = new HttpClient { BaseAddress = silo.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var operatorToken = TokenIssuer.Issue(new HueAuthOptions { SigningKey = signingKey }, Roles.Operator);

        // Item 7a: Open311 lookups by id, beyond the cap and within it.
        var before = await ActivationsAsync(silo);
        foreach (var count in new[] { 220, Api.Open311.Open311Api.MaxIdsPerRequest })
        {
            var statuses = new Dictionary<int, int>();
            for (var i = 0; i < open311Requests; i++)
            {
                var ids = string.Join(",", Enumerable.Range(0, count).Select(_ => Keys.NewFeedbackId()));
                using var response = await http.GetAsync($"/open311/v2/requests.json?service_request_id={ids}", ct);
                statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
            }
            await Task.Delay(1500, ct); // past the exporter's cached scrape
            var afterLookups = await ActivationsAsync(silo);
            report.Add(Workload, $"Open311, {open311Requests} lookups of {count} random ids: report activations added", [afterLookups.Feedback - before.Feedback],
                "activations", "0", $"issue's before: 22,000 for 100 × 220 ids; answers {Statuses(statuses)}");
            before = afterLookups;
        }
        var after = before;

        // Item 7b: a SenML pack of 1,000 device names with a made-up key.
        before = after;
        var pack = "[" + string.Join(",", Enumerable.Range(0, 1000).Select(_ => $$"""{"bn":"x-{{Guid.NewGuid():N}}","v":1}""")) + "]";
        using (var request = Senml(pack))
        {
            request.Headers.Add(DeviceKeyAuthentication.Header, Convert.ToHexString(RandomNumberGenerator.GetBytes(24)));
            using var response = await http.SendAsync(request, ct);
            await Task.Delay(1500, ct);
            after = await ActivationsAsync(silo);
            report.Add(Workload, "SenML, made-up device key, 1,000 names: sensor activations added", [after.Sensors - before.Sensors], "activations",
                "0", $"issue's before: 1,000; answer {(int)response.StatusCode}");
        }

        // Item 8: answers to 1 MB of empty readings and of nameless SenML, with a real device key.
        var sensor = $"abuse-{Guid.NewGuid():N}";
        using var provision = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/sensors/{sensor}")
        {
            Content = new StringContent("""{"kind":"water-level","unit":"m","commune":"19753","latitude":16.46,"longitude":107.57}""", Encoding.UTF8, "application/json"),
        };
        provision.Headers.Authorization = new AuthenticationHeaderValue("Bearer", operatorToken);
        using var provisioned = await http.SendAsync(provision, ct);
        provisioned.EnsureSuccessStatusCode();
        // The control: the counter sees the one sensor just provisioned (the exporter caches a scrape for a moment).
        var control = 0.0;
        for (var wait = 0; wait < 20 && control < 1; wait++, await Task.Delay(500, ct))
            control = (await ActivationsAsync(silo)).Sensors - after.Sensors;
        var key = JsonDocument.Parse(await provisioned.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("deviceKey").GetString()!;

        var empty = new StringBuilder("""{"readings":[""");
        while (empty.Length < 1_000_000) empty.Append("{},");
        empty.Append("{}]}");
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sensors/{sensor}/readings") { Content = new StringContent(empty.ToString(), Encoding.UTF8, "application/json") })
        {
            request.Headers.Add(DeviceKeyAuthentication.Header, key);
            await AnswerSizeAsync(report, http, request, "1 MB of empty readings: answer size", "issue's before: 20.3 MB (a 400 naming every item)", ct);
        }

        var nameless = new StringBuilder("[");
        while (nameless.Length < 1_000_000) nameless.Append("""{"v":1},""");
        nameless.Append("""{"v":1}]""");
        using (var request = Senml(nameless.ToString()))
        {
            request.Headers.Add(DeviceKeyAuthentication.Header, key);
            await AnswerSizeAsync(report, http, request, "1 MB of nameless SenML: answer size", "issue's before: 11.5 MB", ct);
        }
        report.Note($"abuse: activations are Orleans' orleans_catalog_activation_created_total by grain type; as a control it counted {control:N0} for the one sensor provisioned meanwhile.");
    }

    private static HttpRequestMessage Senml(string json) =>
        new(HttpMethod.Post, "/api/v1/readings") { Content = new StringContent(json, Encoding.UTF8, "application/senml+json") };

    private static async Task AnswerSizeAsync(Report report, HttpClient http, HttpRequestMessage request, string name, string before, CancellationToken ct)
    {
        using var response = await http.SendAsync(request, ct);
        var bytes = (await response.Content.ReadAsByteArrayAsync(ct)).Length;
        report.Add(Workload, name, [bytes / 1024.0], "KiB", "≤ 4", $"{before}; answer {(int)response.StatusCode}");
    }

    private static string Statuses(Dictionary<int, int> statuses) =>
        string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Value} × {s.Key}"));

    /// <summary>Sensor and report activations created so far (Orleans' catalog counter by grain type, from the scrape port).</summary>
    private static async Task<(double Sensors, double Feedback)> ActivationsAsync(SiloProcess silo) =>
        (await AbuseWorkload.ActivationsAsync(silo, "sensor"), await AbuseWorkload.ActivationsAsync(silo, "feedback"));
}
