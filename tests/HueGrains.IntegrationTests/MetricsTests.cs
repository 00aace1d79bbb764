using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HueGrains.Tests;
using HueGrains.Tests.Http;

namespace HueGrains.IntegrationTests;

/// <summary>
/// What Prometheus scrapes from the shipped executable: ingest, stream, indicator, live and Orleans series. (In its own
/// process: in-process hosts share meter names, and one host stopping takes the others' series out of their scrapes.)
/// </summary>
[Collection(PostgresCollection.Name)]
public class MetricsTests(PostgresServer postgres)
{
    [Fact]
    public async Task Metrics_are_Prometheus_text_with_ingest_stream_indicator_live_and_Orleans_series()
    {
        await using var silo = await Processes.StartAsync("all", await postgres.CreateDatabaseAsync(), $"m{Guid.NewGuid():N}");
        var id = $"t-{Guid.NewGuid():N}";
        var created = await (await Processes.Client(silo, Roles.Operator).PutAsJsonAsync($"/api/v1/sensors/{id}",
            new { kind = "water-level", unit = "m", commune = "19777", latitude = 16.46, longitude = 107.57 })).Content.ReadFromJsonAsync<JsonElement>();
        using var device = Processes.Client(silo);
        device.DefaultRequestHeaders.Add("X-Device-Key", created.GetProperty("deviceKey").GetString());
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.Accepted, (await device.PostAsJsonAsync($"/api/v1/sensors/{id}/readings",
            new { readings = new object[] { new { at = now, value = 0.4 }, new { at = now.AddYears(5), value = 0.5 } } })).StatusCode);
        using var live = await SseClient.ConnectAsync(Processes.Client(silo), "/api/v1/live");
        await live.NextAsync();

        // The exporter caches a scrape for a moment: read again until this test's readings are in it.
        string[] expected = ["hue_readings_accepted_total", "hue_readings_rejected_total", "hue_ingest_ack_duration_seconds",
            "hue_stream_flush_lag_seconds", "hue_indicator_age_seconds", "hue_sse_clients"];
        var families = await Eventually.Holds(async () => PrometheusText.Parse(await silo.MetricsAsync()),
            f => expected.All(f.ContainsKey) && f["hue_sse_clients"].Samples.Any(s => s.Value >= 1)
                && f["hue_readings_rejected_total"].Samples.Any(s => s.Labels.GetValueOrDefault("reason") == "invalid"),
            TimeSpan.FromSeconds(30));

        Assert.Equal("counter", families["hue_readings_accepted_total"].Type);
        Assert.Contains(families["hue_readings_accepted_total"].Samples, s => s.Labels["transport"] == "http" && s.Value >= 1);
        Assert.Contains(families["hue_readings_rejected_total"].Samples, s => s.Labels["reason"] == "invalid" && s.Value >= 1);
        var ack = families["hue_ingest_ack_duration_seconds"];
        Assert.Equal("histogram", ack.Type);
        Assert.Contains(ack.Samples, s => s.Name.EndsWith("_bucket", StringComparison.Ordinal) && s.Labels["le"] == "+Inf" && s.Value >= 1);
        Assert.Contains(ack.Samples, s => s.Name.EndsWith("_count", StringComparison.Ordinal));
        Assert.Equal("histogram", families["hue_stream_flush_lag_seconds"].Type);
        Assert.Equal("gauge", families["hue_indicator_age_seconds"].Type);
        Assert.Contains(families["hue_sse_clients"].Samples, s => s.Value >= 1);
        Assert.Contains(families.Keys, k => k.StartsWith("orleans", StringComparison.Ordinal)); // Orleans' own meters
        Assert.Contains(families.Keys, k => k.StartsWith("http_server_request_duration", StringComparison.Ordinal));
    }
}
