using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;

namespace HueGrains.Bench;

/// <summary>W1 durable ingest, W2 freshness and W3 queries under load, against the platform on PostgreSQL.</summary>
public sealed class IngestWorkloads(PlatformUnderTest platform)
{
    private static readonly DateTimeOffset Origin = DateTimeOffset.UtcNow.AddHours(-12);
    private int _epoch;

    // Sliced once: a slice is a copy, and copying 20,000 devices per request once made the load generator the bottleneck.
    private readonly List<(string Id, string Key, string Commune)> _devices = platform.Sensors[..^1];

    private List<(string Id, string Key, string Commune)> Devices => _devices;

    /// <summary>Timestamps never repeat: each run starts its own ten-minute slice, and each worker counts within it.</summary>
    private Func<int, long, DateTimeOffset> NewClock()
    {
        var slice = Origin.AddMinutes(10 * Interlocked.Increment(ref _epoch));
        return (worker, n) => slice.AddTicks(n * TimeSpan.TicksPerMillisecond / 10 + worker);
    }

    private (string Id, string Key) DeviceOf(int worker, long n, int workers) => Devices[(int)((worker + n * workers) % Devices.Count)] is var d ? (d.Id, d.Key) : default;

    public async Task<LoadResult> HttpBatchesAsync(TimeSpan duration) => await IngestAsync(duration, 16, 100, UseHttpBatch);

    public async Task<LoadResult> HttpSinglesAsync(TimeSpan duration, double? rate = null) => await IngestAsync(duration, 64, 1, UseHttpBatch, rate);

    public async Task<LoadResult> SenmlBatchesAsync(TimeSpan duration) => await IngestAsync(duration, 16, 100, UseSenml);

    private async Task<LoadResult> IngestAsync(TimeSpan duration, int workers, int batch, Func<HttpClient, string, string, DateTimeOffset[], Task<bool>> send, double? rate = null)
    {
        using var http = Http.Client(platform.BaseUrl);
        var clock = NewClock();
        return await Load.RunAsync(duration, workers, async (w, n) =>
        {
            var (id, key) = DeviceOf(w, n, workers);
            var times = Enumerable.Range(0, batch).Select(i => clock(w, n * batch + i)).ToArray();
            return await send(http, id, key, times) ? batch : 0;
        }, rate, batch);
    }

    /// <summary>Load readings stay below the first flood level: the load measures ingest, not thousands of alerts.</summary>
    private const double LoadValue = 0.5;

    private static Task<bool> UseHttpBatch(HttpClient http, string id, string key, DateTimeOffset[] times) => Post(http, id, key, times, LoadValue);

    private static async Task<bool> Post(HttpClient http, string id, string key, DateTimeOffset[] times, double value)
    {
        object body = times.Length == 1 ? new { at = times[0], value } : new { readings = times.Select(t => new { at = t, value }) };
        // Serialized up front, as a device sends bytes: JsonContent would stream it chunked and serialize on the shared cores.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sensors/{id}/readings") { Content = JsonBytes(body) };
        request.Headers.Add("X-Device-Key", key);
        using var response = await http.SendAsync(request);
        return response.StatusCode == System.Net.HttpStatusCode.Accepted;
    }

    private static ByteArrayContent JsonBytes(object body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    private static async Task<bool> UseSenml(HttpClient http, string id, string key, DateTimeOffset[] times)
    {
        var bt = times[0].ToUnixTimeMilliseconds() / 1000.0;
        var pack = times.Select((t, i) => i == 0
            ? (object)new Dictionary<string, object> { ["bn"] = id, ["bt"] = bt, ["bu"] = "m", ["v"] = LoadValue }
            : new Dictionary<string, object> { ["t"] = (t.ToUnixTimeMilliseconds() / 1000.0) - bt, ["v"] = LoadValue });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/readings")
        {
            Content = new StringContent(JsonSerializer.Serialize(pack), Encoding.UTF8, "application/senml+json"),
        };
        request.Headers.Add("X-Device-Key", key);
        using var response = await http.SendAsync(request);
        return response.StatusCode == System.Net.HttpStatusCode.Accepted;
    }

    public async Task<LoadResult> MqttSinglesAsync(TimeSpan duration)
    {
        const int Connections = 64;
        var devices = Devices.Take(Connections).ToList();
        var clients = await Task.WhenAll(devices.Select(async d =>
        {
            var client = new MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", platform.MqttPort).WithCredentials(d.Id, d.Key).WithCleanSession().Build());
            return client;
        }));
        var clock = NewClock();
        var result = await Load.RunAsync(duration, Connections, async (w, n) =>
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(new { at = clock(w, n), value = LoadValue });
            var published = await clients[w].PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"hue/sensors/{devices[w].Id}/readings")
                .WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            return published.IsSuccess ? 1 : 0;
        });
        foreach (var client in clients) client.Dispose();
        return result;
    }

    /// <summary>W2: a probe reading's acknowledgement to its commune's and the city's indicators, under background load.</summary>
    public async Task<(List<double> Commune, List<double> City)> FreshnessAsync(TimeSpan duration, double backgroundRate)
    {
        using var stop = new CancellationTokenSource(duration + TimeSpan.FromSeconds(2));
        var background = HttpSinglesAsync(duration + TimeSpan.FromSeconds(1), backgroundRate);
        var (probe, key, code) = platform.Sensors[^1];
        using var http = Http.Client(platform.BaseUrl);
        var commune = platform.Grains.GetGrain<ICommuneGrain>(code);
        var city = platform.Grains.GetGrain<ICityGrain>(Keys.City);
        var (toCommune, toCity) = (new List<double>(), new List<double>());
        var clock = Stopwatch.StartNew();
        for (var i = 0; clock.Elapsed < duration; i++)
        {
            var value = 29 + Interlocked.Increment(ref _probe) * 1e-4; // above every load sensor: it is the max once included
            await Post(http, probe, key, [DateTimeOffset.UtcNow], value);
            var acked = Stopwatch.GetTimestamp();
            double? atCommune = null;
            while (Stopwatch.GetElapsedTime(acked) < TimeSpan.FromSeconds(5))
            {
                atCommune ??= MaxOf((await commune.Get()).Sensors) >= value - 1e-9 ? Stopwatch.GetElapsedTime(acked).TotalMilliseconds : null;
                if (MaxOf((await city.Get()).Sensors) >= value - 1e-9)
                {
                    toCommune.Add(atCommune ?? Stopwatch.GetElapsedTime(acked).TotalMilliseconds);
                    toCity.Add(Stopwatch.GetElapsedTime(acked).TotalMilliseconds);
                    break;
                }
                await Task.Delay(1);
            }
            await Task.Delay(100);
        }
        await background;
        return (toCommune.Order().ToList(), toCity.Order().ToList());

        static double MaxOf(IReadOnlyList<KindIndicators> kinds) => kinds.FirstOrDefault(k => k.Kind == SensorKind.WaterLevel)?.Max ?? 0;
    }

    private long _probe;

    /// <summary>W3: one kind of query at a time, 16 in flight, while readings arrive at the given rate.</summary>
    public async Task<LoadResult> QueryAsync(TimeSpan duration, double backgroundRate, Func<int, long, string> path)
    {
        var background = HttpSinglesAsync(duration, backgroundRate);
        using var http = Http.Client(platform.BaseUrl);
        var result = await Load.RunAsync(duration, 16, async (w, n) =>
        {
            using var response = await http.GetAsync(path(w, n));
            return response.IsSuccessStatusCode ? 1 : 0;
        });
        await background;
        return result;
    }

    public string SensorPath(int w, long n) => $"/api/v1/sensors/{Devices[(int)((w * 7919 + n * 104729) % Devices.Count)].Id}";

    public static string CommunePath(int w, long n) => $"/api/v1/communes/{CityMap.Communes[(int)((w + n) % CityMap.Communes.Count)].Code}";
}
