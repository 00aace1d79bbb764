using System.Net;
using System.Text;

namespace HueGrains.Tests.Http;

/// <summary>
/// A device's plain JSON with a Content-Length takes the lean lane; chunked bodies take the full pipeline. Both answer
/// alike: status, Location, security headers, body and problems.
/// </summary>
[Collection(ApiCollection.Name)]
public class DeviceLaneTests(ApiFixture api)
{
    private static ByteArrayContent Sized(string json) => new(Encoding.UTF8.GetBytes(json)) { Headers = { ContentType = new("application/json") } };

    private static Unsized Chunked(string json) => new(Encoding.UTF8.GetBytes(json)) { Headers = { ContentType = new("application/json") } };

    /// <summary>A body sent without Content-Length (chunked), as a streaming client sends it.</summary>
    private sealed class Unsized(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private static string Reading(DateTimeOffset at, double value) => $$"""{"at":"{{at:O}}","value":{{value}}}""";

    [Fact]
    public async Task A_reading_by_the_lane_is_answered_as_by_the_full_pipeline()
    {
        var (id, device) = await api.GaugeAsync("19753");
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var lane = await device.PostAsync($"/api/v1/sensors/{id}/readings", Sized(Reading(at, 1.25)));
        var full = await device.PostAsync($"/api/v1/sensors/{id}/readings", Chunked(Reading(at.AddSeconds(1), 1.25)));
        foreach (var response in new[] { lane, full })
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal($"/api/v1/sensors/{id}", response.Headers.Location?.ToString());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        }
        var (a, b) = (await lane.Json(), await full.Json());
        Assert.Equal(1, a.GetProperty("accepted").GetInt32());
        Assert.Equal(a.GetProperty("results")[0].GetProperty("status").GetString(), b.GetProperty("results")[0].GetProperty("status").GetString());
        Assert.Equal(at, a.GetProperty("results")[0].GetProperty("at").GetDateTimeOffset());

        var again = await (await device.PostAsync($"/api/v1/sensors/{id}/readings", Sized(Reading(at, 1.25)))).Json();
        Assert.Equal(1, again.GetProperty("duplicates").GetInt32());
        var sensor = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{id}")).Json();
        Assert.Equal(1.25, sensor.GetProperty("latest").GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task Refusals_are_the_full_pipeline_s_whichever_way_the_body_comes()
    {
        var (id, device) = await api.GaugeAsync("19753");
        var (other, _) = await api.GaugeAsync("19753");
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        foreach (var body in new Func<string, HttpContent>[] { Sized, Chunked })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.AsDevice("not-a-key-of-anyone-0123456789").PostAsync($"/api/v1/sensors/{id}/readings", body(Reading(at, 1)))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await device.PostAsync($"/api/v1/sensors/{other}/readings", body(Reading(at, 1)))).StatusCode);
            var missing = await device.PostAsync($"/api/v1/sensors/{id}/readings", body("""{"value":1}"""));
            await SensorApiTests.AssertProblem(missing, HttpStatusCode.BadRequest, "at");
            var future = await device.PostAsync($"/api/v1/sensors/{id}/readings", body(Reading(DateTimeOffset.UtcNow.AddDays(2), 1)));
            await SensorApiTests.AssertProblem(future, HttpStatusCode.BadRequest, "at");
        }
    }
}
