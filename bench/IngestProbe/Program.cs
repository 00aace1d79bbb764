using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

// Runs the shipped silo binary (embedded memory mode, limits raised) as its own process and drives it from this one with
// pre-built requests. Per workload it prints throughput, the silo's CPU per unit (/proc) and the silo's allocated bytes
// per unit (the runtime's dotnet_gc_heap_total_allocated_bytes at /metrics on a scrape port).
// dotnet run -c Release --project bench/IngestProbe -- <silo dll> [seconds] [workloads: live,single,batch,senml,mqtt,sensor,commune,city]
var silo = Path.GetFullPath(args.ElementAtOrDefault(0) ?? "silo/bin/Release/net10.0/HueGrains.Silo.dll");
var seconds = int.Parse(args.ElementAtOrDefault(1) ?? "10", CultureInfo.InvariantCulture);
var only = (args.ElementAtOrDefault(2) ?? "live,single,batch,senml,mqtt,sensor,commune,city").Split(',');
const int Sensors = 2000;

int FreePort() { var l = new TcpListener(IPAddress.Loopback, 0); l.Start(); var p = ((IPEndPoint)l.LocalEndpoint).Port; l.Stop(); return p; }
var (httpPort, mqttPort, metricsPort) = (FreePort(), FreePort(), FreePort());
var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
var start = new ProcessStartInfo("dotnet", [silo]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(silo)! };
foreach (var (k, v) in new Dictionary<string, string>
{
    ["Hue__Http__Port"] = $"{httpPort}", ["Hue__Mqtt__Port"] = $"{mqttPort}", ["Hue__Metrics__Port"] = $"{metricsPort}",
    ["Hue__Orleans__SiloPort"] = $"{FreePort()}", ["Hue__Orleans__GatewayPort"] = $"{FreePort()}", ["Hue__Auth__SigningKey"] = signingKey,
    ["Hue__Ingest__DeviceMessagesPerSecond"] = "100000", ["Hue__Ingest__DeviceBurst"] = "100000",
    ["Hue__RateLimit__PermitsPerSecond"] = "10000000", ["Hue__RateLimit__Burst"] = "10000000",
    ["Hue__Mqtt__MaxConnectionsPerAddress"] = "10000", ["Logging__LogLevel__Default"] = "Warning", ["DOTNET_gcServer"] = "0",
}) start.Environment[k] = v;
using var process = Process.Start(start)!;
_ = process.StandardOutput.ReadToEndAsync();
_ = process.StandardError.ReadToEndAsync();
try
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
    using var scrape = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
    for (var i = 0; ; i++)
    {
        try { if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
        if (i > 300) throw new InvalidOperationException("silo did not start");
        await Task.Delay(200);
    }
    var token = Jwt(signingKey);
    var communes = JsonDocument.Parse(await http.GetStringAsync("/api/v1/communes")).RootElement.EnumerateArray()
        .Select(c => c.GetProperty("code").GetString()!).ToArray();
    var devices = new (string Id, string Key)[Sensors];
    await Parallel.ForEachAsync(Enumerable.Range(0, Sensors), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
    {
        var id = $"probe-{i:D5}";
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/sensors/{id}")
        {
            Content = new StringContent($$"""{"kind":"water-level","unit":"m","commune":"{{communes[i % communes.Length]}}","latitude":16.46,"longitude":107.59}""", Encoding.UTF8, "application/json"),
        };
        put.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(put, ct);
        devices[i] = (id, JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("deviceKey").GetString()!);
    });
    Console.WriteLine($"silo pid {process.Id}; {Sensors} sensors; {seconds} s per workload; {Environment.ProcessorCount} cores");
    var origin = DateTimeOffset.UtcNow.AddHours(-2);
    long stamp = 0;
    string At() => origin.AddTicks(Interlocked.Increment(ref stamp) * 10).ToString("O", CultureInfo.InvariantCulture);

    async Task<long> Allocated()
    {
        var text = await scrape.GetStringAsync("/metrics");
        var line = text.Split('\n').First(l => l.StartsWith("dotnet_gc_heap_total_allocated_bytes", StringComparison.Ordinal) && !l.StartsWith('#'));
        return (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
    double Cpu() { var s = File.ReadAllText($"/proc/{process.Id}/stat"); var f = s[(s.LastIndexOf(')') + 2)..].Split(' '); return (double.Parse(f[11], CultureInfo.InvariantCulture) + double.Parse(f[12], CultureInfo.InvariantCulture)) / 100; }

    async Task Run(string name, int workers, int unitsPerCall, Func<int, long, Task<bool>> call)
    {
        var warm = Stopwatch.StartNew();
        await Drive(TimeSpan.FromSeconds(2));
        var (bytes, cpu) = (await Allocated(), Cpu());
        var (calls, failed, wall) = await Drive(TimeSpan.FromSeconds(seconds));
        var (bytes2, cpu2) = (await Allocated(), Cpu());
        var units = (double)(calls - failed) * unitsPerCall;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-8} {units / wall,10:N0} units/s  {(cpu2 - cpu) / units * 1e6,8:F1} us silo CPU/unit  {(bytes2 - bytes) / units,9:N0} B silo alloc/unit  failed {failed}/{calls}"));

        async Task<(long, long, double)> Drive(TimeSpan d)
        {
            long n = 0, bad = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
            {
                for (long i = w; clock.Elapsed < d; i += workers)
                {
                    bool ok;
                    try { ok = await call(w, i); } catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException) { ok = false; }
                    Interlocked.Increment(ref n);
                    if (!ok) Interlocked.Increment(ref bad);
                }
            }));
            return (n, bad, clock.Elapsed.TotalSeconds);
        }
    }

    async Task<bool> Send(HttpMethod method, string path, string? key, string? body, string type = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) { request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)); request.Content.Headers.ContentType = new(type); }
        if (key is not null) request.Headers.Add("X-Device-Key", key);
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode;
    }

    foreach (var workload in only)
    {
        switch (workload)
        {
            case "live": await Run("live", 64, 1, (_, _) => Send(HttpMethod.Get, "/health/live", null, null)); break;
            case "single":
                await Run("single", 64, 1, (_, i) => { var d = devices[i % Sensors]; return Send(HttpMethod.Post, $"/api/v1/sensors/{d.Id}/readings", d.Key, $$"""{"at":"{{At()}}","value":0.5}"""); });
                break;
            case "batch":
                await Run("batch", 16, 100, (_, i) =>
                {
                    var d = devices[i % Sensors];
                    var body = "{\"readings\":[" + string.Join(',', Enumerable.Range(0, 100).Select(_ => $$"""{"at":"{{At()}}","value":0.5}""")) + "]}";
                    return Send(HttpMethod.Post, $"/api/v1/sensors/{d.Id}/readings", d.Key, body);
                });
                break;
            case "senml":
                await Run("senml", 16, 100, (_, i) =>
                {
                    var d = devices[i % Sensors];
                    var bt = origin.AddTicks(Interlocked.Add(ref stamp, 1000) * 10).ToUnixTimeMilliseconds() / 1000.0;
                    var body = "[" + string.Join(',', Enumerable.Range(0, 100).Select(k => k == 0
                        ? string.Create(CultureInfo.InvariantCulture, $$"""{"bn":"{{d.Id}}","bt":{{bt}},"bu":"m","v":0.5}""")
                        : string.Create(CultureInfo.InvariantCulture, $$"""{"t":{{k * 0.001}},"v":0.5}"""))) + "]";
                    return Send(HttpMethod.Post, "/api/v1/readings", d.Key, body, "application/senml+json");
                });
                break;
            case "mqtt":
                var clients = new MqttClient[32];
                for (var c = 0; c < clients.Length; c++) clients[c] = await MqttClient.ConnectAsync(mqttPort, devices[c].Id, devices[c].Key);
                await Run("mqtt", clients.Length, 1, (w, _) => clients[w].PublishAsync($"hue/sensors/{devices[w].Id}/readings", $$"""{"at":"{{At()}}","value":0.5}"""));
                foreach (var c in clients) c.Dispose();
                break;
            case "sensor": await Run("sensor", 64, 1, (_, i) => Send(HttpMethod.Get, $"/api/v1/sensors/{devices[i % Sensors].Id}", null, null)); break;
            case "commune": await Run("commune", 64, 1, (_, i) => Send(HttpMethod.Get, $"/api/v1/communes/{communes[i % communes.Length]}", null, null)); break;
            case "city": await Run("city", 64, 1, (_, _) => Send(HttpMethod.Get, "/api/v1/city", null, null)); break;
        }
    }
}
finally
{
    process.Kill(entireProcessTree: true);
    await process.WaitForExitAsync();
}

static string Jwt(string signingKey)
{
    static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    var head = B64("""{"alg":"HS256","typ":"JWT"}"""u8.ToArray());
    var body = B64(Encoding.UTF8.GetBytes($$"""{"iss":"hue-grains","aud":"hue-grains-api","sub":"probe","role":"operator","nbf":{{now - 5}},"exp":{{now + 3600}}}"""));
    return $"{head}.{body}.{B64(HMACSHA256.HashData(Convert.FromBase64String(signingKey), Encoding.ASCII.GetBytes($"{head}.{body}")))}";
}

/// <summary>MQTT 3.1.1 over a raw socket: CONNECT, then QoS 1 PUBLISH awaited for its PUBACK (one in flight per client).</summary>
internal sealed class MqttClient : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _ack = new byte[4];
    private ushort _packet;

    private MqttClient(Socket socket) => _socket = socket;

    public static async Task<MqttClient> ConnectAsync(int port, string user, string password)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var body = new List<byte>();
        Str(body, "MQTT"); body.Add(4); body.Add(0b1100_0010); body.Add(0); body.Add(60);
        Str(body, user); Str(body, user); Str(body, password);
        await socket.SendAsync(Packet(0x10, body));
        var connack = new byte[4];
        await socket.ReceiveAsync(connack);
        if (connack[3] != 0) throw new InvalidOperationException($"CONNACK {connack[3]}");
        return new MqttClient(socket);
    }

    public async Task<bool> PublishAsync(string topic, string payload)
    {
        var id = ++_packet == 0 ? ++_packet : _packet;
        var body = new List<byte>();
        Str(body, topic); body.Add((byte)(id >> 8)); body.Add((byte)id); body.AddRange(Encoding.UTF8.GetBytes(payload));
        await _socket.SendAsync(Packet(0x32, body));
        var read = 0;
        while (read < 4) { var n = await _socket.ReceiveAsync(_ack.AsMemory(read)); if (n == 0) return false; read += n; }
        return _ack[0] == 0x40;
    }

    private static void Str(List<byte> b, string s) { var u = Encoding.UTF8.GetBytes(s); b.Add((byte)(u.Length >> 8)); b.Add((byte)u.Length); b.AddRange(u); }

    private static byte[] Packet(byte header, List<byte> body)
    {
        var p = new List<byte> { header };
        var len = body.Count;
        do { var d = (byte)(len % 128); len /= 128; p.Add(len > 0 ? (byte)(d | 128) : d); } while (len > 0);
        p.AddRange(body);
        return [.. p];
    }

    public void Dispose() => _socket.Dispose();
}
