using System.Net;
using System.Text.Json;

namespace HueGrains.Tests.Http;

/// <summary>The live feed (SSE with resumption) and the indicator history.</summary>
[Collection(ApiCollection.Name)]
public class LiveAndHistoryTests(ApiFixture api)
{

    private static bool FloodAt(SseEvent e, string commune, int level) =>
        e.Type == "indicators" && JsonDocument.Parse(e.Data).RootElement is var d
        && d.GetProperty("scope").GetString() == commune && d.GetProperty("indicators").GetProperty("floodAlertLevel").GetInt32() == level;

    private static bool AlertOf(SseEvent e, string sensor, int level) =>
        e.Type == "alert" && JsonDocument.Parse(e.Data).RootElement.GetProperty("alert") is var a
        && a.GetProperty("sensorId").GetString() == sensor && a.GetProperty("level").GetInt32() == level;

    [Fact]
    public async Task A_client_that_reconnects_with_Last_Event_ID_receives_what_it_missed()
    {
        const string Commune = "19789";
        var (gauge, device) = await api.GaugeAsync(Commune);
        string lastId;
        using (var first = await SseClient.ConnectAsync(api.Anonymous, $"/api/v1/live?commune={Commune}"))
        {
            var snapshot = await first.NextAsync();
            Assert.Equal("snapshot", snapshot.Type);
            Assert.Equal(Commune, JsonDocument.Parse(snapshot.Data).RootElement.GetProperty("scope").GetString());
            await device.PostJson($"/api/v1/sensors/{gauge}/readings", new { at = DateTimeOffset.UtcNow, value = 1.2 });
            lastId = (await first.UntilAsync(e => AlertOf(e, gauge, 1))).Last().Id!; // other tests' sensors may share the commune
        }

        // While disconnected: BĐ3, then an alert the commune acknowledges.
        await device.PostJson($"/api/v1/sensors/{gauge}/readings", new { at = DateTimeOffset.UtcNow, value = 3.8 });
        await Eventually.Holds(async () => await (await api.Anonymous.GetAsync("/api/v1/city")).Json(),
            c => c.GetProperty("communes").EnumerateArray().Any(x => x.GetProperty("code").GetString() == Commune
                && x.GetProperty("indicators").GetProperty("floodAlertLevel").GetInt32() == 3));
        await Task.Delay(600); // two polls of the live feed

        using var resumed = await SseClient.ConnectAsync(api.Anonymous, $"/api/v1/live?commune={Commune}", lastId);
        var missed = new List<SseEvent>();
        while (!missed.Any(e => FloodAt(e, Commune, 3)) || !missed.Any(e => AlertOf(e, gauge, 3))) missed.Add(await resumed.NextAsync());
        Assert.DoesNotContain(missed, e => e.Type == "snapshot");
        static long Sequence(string id) => long.Parse(id, System.Globalization.CultureInfo.InvariantCulture); // feed positions
        Assert.All(missed, e => Assert.True(Sequence(e.Id!) > Sequence(lastId)));
        Assert.Equal(missed.Select(e => Sequence(e.Id!)).Order(), missed.Select(e => Sequence(e.Id!))); // in order
        Assert.All(missed, e => Assert.Contains(Commune, e.Data, StringComparison.Ordinal)); // only this commune

        // An id that is not a feed position, or one ahead of the feed (another deployment, or an embedded platform that
        // restarted), gets a fresh snapshot instead of a wrong replay.
        using (var stale = await SseClient.ConnectAsync(api.Anonymous, $"/api/v1/live?commune={Commune}", "0000dead-1"))
            Assert.Equal("snapshot", (await stale.NextAsync()).Type);
        using var ahead = await SseClient.ConnectAsync(api.Anonymous, $"/api/v1/live?commune={Commune}", "900000000000");
        Assert.Equal("snapshot", (await ahead.NextAsync()).Type);
    }

    [Fact]
    public async Task Indicator_history_keeps_snapshots_of_the_city_and_each_commune()
    {
        const string Commune = "19804";
        var (gauge, device) = await api.GaugeAsync(Commune);
        await device.PostJson($"/api/v1/sensors/{gauge}/readings", new { at = DateTimeOffset.UtcNow, value = 2.4 });
        var history = await Eventually.Holds(
            async () => await (await api.Anonymous.GetAsync($"/api/v1/communes/{Commune}/history?indicator=floodAlertLevel&bucket=raw")).Json(),
            h => h.GetProperty("points").EnumerateArray().Any(p => p.GetProperty("last").GetDouble() == 2));
        Assert.Equal("floodAlertLevel", history.GetProperty("indicator").GetString());

        var city = await Eventually.Holds(async () => await (await api.Anonymous.GetAsync("/api/v1/city/history?indicator=sensors&bucket=1h")).Json(),
            h => h.GetProperty("points").GetArrayLength() > 0);
        var point = city.GetProperty("points")[0];
        Assert.True(point.GetProperty("samples").GetInt32() >= 1);
        Assert.True(point.GetProperty("max").GetDouble() >= point.GetProperty("min").GetDouble());

        await SensorApiTests.AssertProblem(await api.Anonymous.GetAsync("/api/v1/city/history?indicator=happiness"), HttpStatusCode.BadRequest, "indicator");
        await SensorApiTests.AssertProblem(await api.Anonymous.GetAsync("/api/v1/city/history?indicator=sensors&bucket=1w"), HttpStatusCode.BadRequest, "bucket");
        await SensorApiTests.AssertProblem(await api.Anonymous.GetAsync("/api/v1/city/history?indicator=sensors&from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z"),
            HttpStatusCode.BadRequest, "to");
        Assert.Equal(HttpStatusCode.NotFound, (await api.Anonymous.GetAsync("/api/v1/communes/00000/history?indicator=sensors")).StatusCode);
    }
}
