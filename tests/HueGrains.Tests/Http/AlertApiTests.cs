using System.Net;
using System.Text.Json;

namespace HueGrains.Tests.Http;

[Collection(ApiCollection.Name)]
public class AlertApiTests(ApiFixture api)
{


    private static IEnumerable<JsonElement> AlertsOf(JsonElement list, string sensor) =>
        list.EnumerateArray().Where(a => a.GetProperty("sensorId").GetString() == sensor);

    [Fact]
    public async Task A_BD2_crossing_is_raised_at_commune_and_city_acknowledged_by_its_commune_and_cleared_with_hysteresis()
    {
        const string Commune = "19819";
        var (gauge, device) = await api.GaugeAsync(Commune);
        var now = DateTimeOffset.UtcNow;
        await device.PostJson($"/api/v1/sensors/{gauge}/readings", new { at = now.AddSeconds(-3), value = 2.1 });

        var within = TimeSpan.FromSeconds(2);
        await Eventually.Holds(async () => await (await api.Anonymous.GetAsync($"/api/v1/alerts?commune={Commune}")).Json(),
            l => AlertsOf(l, gauge).Any(a => a.GetProperty("level").GetInt32() == 2 && a.GetProperty("status").GetString() == "raised"), within);
        await Eventually.Holds(async () => await (await api.Anonymous.GetAsync("/api/v1/alerts")).Json(), l => AlertsOf(l, gauge).Any(), within);

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Anonymous.PostAsync($"/api/v1/sensors/{gauge}/alerts/threshold/acknowledge", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Official, "19753").PostAsync($"/api/v1/sensors/{gauge}/alerts/threshold/acknowledge", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Leader).PostAsync($"/api/v1/sensors/{gauge}/alerts/threshold/acknowledge", null)).StatusCode);
        var acknowledged = await (await api.As(Roles.Official, Commune).PostAsync($"/api/v1/sensors/{gauge}/alerts/threshold/acknowledge", null)).Json();
        Assert.Equal("acknowledged", acknowledged.GetProperty("status").GetString());
        await Eventually.Holds(async () => await (await api.Anonymous.GetAsync("/api/v1/alerts")).Json(),
            l => AlertsOf(l, gauge).Any(a => a.GetProperty("status").GetString() == "acknowledged"), within);
        Assert.Equal(HttpStatusCode.NotFound, (await api.As(Roles.Operator).PostAsync($"/api/v1/sensors/{gauge}/alerts/pm25-24h/acknowledge", null)).StatusCode);

        await device.PostJson($"/api/v1/sensors/{gauge}/readings", new { at = now.AddSeconds(-2), value = 1.97 }); // within hysteresis
        Assert.Equal(2, (await (await api.Anonymous.GetAsync($"/api/v1/sensors/{gauge}")).Json()).GetProperty("alertLevel").GetInt32());
        await device.PostJson($"/api/v1/sensors/{gauge}/readings", new { at = now.AddSeconds(-1), value = 0.4 });
        await Eventually.Holds(async () => await (await api.Anonymous.GetAsync("/api/v1/alerts")).Json(), l => !AlertsOf(l, gauge).Any(), within);
        var history = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{gauge}/alerts")).Json();
        Assert.Equal(0, history.GetProperty("active").GetArrayLength());
        var cleared = Assert.Single(history.GetProperty("history").EnumerateArray());
        Assert.Equal(("cleared", 2), (cleared.GetProperty("status").GetString(), cleared.GetProperty("level").GetInt32()));
    }

    [Fact]
    public async Task A_thousand_readings_above_the_threshold_leave_exactly_one_active_alert()
    {
        const string Commune = "19858";
        var (gauge, device) = await api.GaugeAsync(Commune);
        var now = DateTimeOffset.UtcNow;
        var readings = Enumerable.Range(0, 1000).Select(i => new { at = now.AddSeconds(-2000 + i), value = 2.2 + (i % 10) / 100.0 }).ToArray();
        Assert.Equal(HttpStatusCode.Accepted, (await device.PostJson($"/api/v1/sensors/{gauge}/readings", new { readings = readings[..500] })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await device.PostJson($"/api/v1/sensors/{gauge}/readings", new { readings = readings[500..] })).StatusCode);

        var alerts = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{gauge}/alerts")).Json();
        Assert.Single(alerts.GetProperty("active").EnumerateArray());
        Assert.Equal(0, alerts.GetProperty("history").GetArrayLength());
        var commune = await Eventually.Holds(async () => await (await api.Anonymous.GetAsync($"/api/v1/alerts?commune={Commune}")).Json(), l => AlertsOf(l, gauge).Any());
        Assert.Single(AlertsOf(commune, gauge));
    }
}
