using System.Net;

namespace HueGrains.Tests.Http;

[Collection(ApiCollection.Name)]
public class MetricsTests(ApiFixture api)
{
    [Fact]
    public async Task Metrics_are_Prometheus_text_with_ingest_stream_indicator_live_and_Orleans_series()
    {
        var (id, device) = await api.GaugeAsync("19777");
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.Accepted, (await device.PostJson($"/api/v1/sensors/{id}/readings",
            new { readings = new object[] { new { at = now, value = 0.4 }, new { at = now.AddYears(5), value = 0.5 } } })).StatusCode);
        using var live = await SseClient.ConnectAsync(api.Anonymous, "/api/v1/live");
        await live.NextAsync();

        // The exporter caches a scrape for a moment: read again until this test's readings are in it.
        string[] expected = ["hue_readings_accepted_total", "hue_readings_rejected_total", "hue_ingest_ack_duration_seconds",
            "hue_stream_flush_lag_seconds", "hue_indicator_age_seconds", "hue_sse_clients"];
        var scraper = api.As(Roles.Operator); // /metrics is for operators (or on Hue:Metrics:Port)
        bool Complete(Dictionary<string, PromFamily> f) => expected.All(f.ContainsKey) && f["hue_sse_clients"].Samples.Any(s => s.Value >= 1)
            && f["hue_readings_rejected_total"].Samples.Any(s => s.Labels.GetValueOrDefault("reason") == "invalid");
        Dictionary<string, PromFamily> families;
        try
        {
            families = await Eventually.Holds(async () => PrometheusText.Parse(await scraper.GetStringAsync("/metrics")), Complete);
        }
        catch (TimeoutException)
        {
            // Say which series are missing: hosts in one process share meter names (see HardeningTests).
            var last = PrometheusText.Parse(await scraper.GetStringAsync("/metrics"));
            Assert.Fail($"missing: {string.Join(", ", expected.Where(e => !last.ContainsKey(e)))}; hue_sse_clients: " +
                string.Join(", ", last.GetValueOrDefault("hue_sse_clients")?.Samples.Select(s => s.Value) ?? []));
            throw;
        }

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
