using System.Net;
using HueGrains.Testing;

namespace HueGrains.IntegrationTests;

/// <summary>
/// The shipped executable with <c>Hue__Metrics__Port</c> (as <see cref="SiloProcess"/> starts it): Prometheus scrapes that
/// port without a token; it serves nothing else, and the API port has no /metrics whatever the Host header says.
/// (Here rather than beside the in-process tests: a second host in that process shadows their shared meter names.)
/// </summary>
[Collection(PostgresCollection.Name)]
public class MetricsPortTests(PostgresServer postgres)
{
    [Fact]
    public async Task The_scrape_port_answers_metrics_without_a_token_and_nothing_else_and_the_API_port_has_none()
    {
        await using var silo = await Processes.StartAsync("all", await postgres.CreateDatabaseAsync(), $"m{Guid.NewGuid():N}");
        Assert.Contains("# TYPE", await silo.MetricsAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await silo.Metrics.GetAsync("/api/v1/city")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await silo.Http.GetAsync("/api/v1/city")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await silo.Http.GetAsync("/metrics")).StatusCode);
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Host = silo.Metrics.BaseAddress!.Authority } };
        Assert.Equal(HttpStatusCode.NotFound, (await silo.Http.SendAsync(spoofed)).StatusCode);
    }
}
