using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using HueGrains.Api.Auth;
using HueGrains.Testing;

namespace HueGrains.Bench.Abuse;

/// <summary>
/// Item 12: the live feed (<c>GET /api/v1/live</c>) flooded from one address. 2,000 stream attempts held open (how many
/// are accepted, and what they cost in RSS), then 250 resumes from an old Last-Event-ID (bytes sent, time, and what
/// a sensor read costs meanwhile).
/// </summary>
public static class LiveAbuse
{
    private const int Attempts = 2_000;
    private const int Resumes = 250;
    private const int ResumesInFlight = 25;
    private const int Communes = 40;

    public static async Task RunAsync(Report report, SiloProcess silo, string signingKey)
    {
        Console.WriteLine("    item 12: the live feed");
        await ConnectionFloodAsync(report, silo);
        await ResumeFloodAsync(report, silo, signingKey);
    }

    private static async Task ConnectionFloodAsync(Report report, SiloProcess silo)
    {
        // Warm up first (JIT, Kestrel's pools), so the growth below is what held streams and refusals cost.
        foreach (var (socket, _) in await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => AttemptAsync(silo.HttpPort)))) socket?.Dispose();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = AbuseWorkload.RssMiB(silo);
        var open = new List<Socket>();
        var statuses = new Dictionary<int, int>();
        using var gate = new SemaphoreSlim(64);
        var took = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Attempts).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                var (socket, status) = await AttemptAsync(silo.HttpPort);
                lock (open)
                {
                    statuses[status] = statuses.GetValueOrDefault(status) + 1;
                    if (socket is not null) open.Add(socket);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        took.Stop();
        await Task.Delay(TimeSpan.FromSeconds(2)); // the accepted streams have their snapshots written
        var held = AbuseWorkload.RssMiB(silo);
        foreach (var socket in open) socket.Dispose();

        report.Add("abuse", "12 live streams accepted of 2,000 from one address (before: 2,000)", [statuses.GetValueOrDefault(200)], "streams");
        report.Add("abuse", "12 live streams refused with 429 of 2,000", [statuses.GetValueOrDefault(429)], "streams");
        report.Add("abuse", "12 RSS growth while the accepted streams are held (before: +89 MB)", [held - before], "MiB");
        report.Add("abuse", "12 time for 2,000 stream attempts", [took.Elapsed.TotalSeconds], "s");
        Console.WriteLine($"      statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
    }

    /// <summary>One raw HTTP/1.1 request on its own socket: the socket still open if the stream was accepted, and the status.</summary>
    private static async Task<(Socket? Open, int Status)> AttemptAsync(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            await socket.SendAsync("GET /api/v1/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[12]; // "HTTP/1.1 200"
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(read), timeout.Token);
                if (n == 0) break;
                read += n;
            }
            var status = read == buffer.Length && int.TryParse(Encoding.ASCII.GetString(buffer, 9, 3), out var s) ? s : 0;
            if (status == 200) return (socket, status);
            socket.Dispose();
            return (null, status);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            return (null, -1);
        }
    }

    private static async Task ResumeFloodAsync(Report report, SiloProcess silo, string signingKey)
    {
        using var http = Http.Client(silo.Http.BaseAddress!.ToString());
        var operatorToken = TokenIssuer.Issue(new HueAuthOptions { SigningKey = signingKey }, Roles.Operator);
        var gauges = await ProvisionGaugesAsync(http, operatorToken);
        var (oldId, _) = await FirstEventAsync(http, null);

        // Fill the feed's backlog: every round moves each commune's flood level, so each poll publishes ~80 events.
        var filling = Stopwatch.StartNew();
        for (var round = 0; filling.Elapsed < TimeSpan.FromSeconds(25); round++)
        {
            var value = round % 2 == 0 ? 3.8 : 0.2;
            await Task.WhenAll(gauges.Select(g => PostReadingAsync(http, g, value)));
            await Task.Delay(300);
        }
        var (newestId, _) = await FirstEventAsync(http, null);
        var backlog = Sequence(newestId) - Sequence(oldId);
        var (_, snapshotBytes) = await FirstEventAsync(http, null);
        Console.WriteLine($"      backlog behind the old id: {backlog:N0} events; a fresh city snapshot: {snapshotBytes:N0} bytes");

        // A sensor read beside the flood: the issue saw 1 ms become 23–78 ms.
        using var reads = new CancellationTokenSource();
        var latencies = new List<double>();
        var reader = Task.Run(async () =>
        {
            while (!reads.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync($"/api/v1/sensors/{gauges[0].Id}");
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await Task.Delay(20);
            }
        });

        long bytes = 0;
        var statuses = new Dictionary<int, int>();
        using var inFlight = new SemaphoreSlim(ResumesInFlight);
        var took = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Resumes).Select(async _ =>
        {
            await inFlight.WaitAsync();
            try
            {
                var (status, received) = await ResumeAsync(http, oldId);
                Interlocked.Add(ref bytes, received);
                lock (statuses) statuses[status] = statuses.GetValueOrDefault(status) + 1;
            }
            finally
            {
                inFlight.Release();
            }
        }));
        took.Stop();
        await reads.CancelAsync();
        await reader;

        report.Add("abuse", $"12 live backlog behind the old Last-Event-ID (events kept at most 10,000)", [backlog], "events");
        report.Add("abuse", "12 bytes sent for 250 resumes from an old Last-Event-ID (before: 1 GB, 4 MB each)", [bytes / 1e6], "MB");
        report.Add("abuse", "12 bytes per resume from an old Last-Event-ID (before: 4 MB)", [bytes / 1e3 / Math.Max(1, statuses.GetValueOrDefault(200))], "KB");
        report.Add("abuse", "12 time for 250 resumes, 25 in flight (before: 10.7 s)", [took.Elapsed.TotalSeconds], "s");
        var sorted = latencies.Order().ToList();
        if (sorted.Count > 0)
            report.Add("abuse", "12 GET sensor p50 during the resumes (before: 23–78 ms, 1 ms idle)", [sorted[sorted.Count / 2]], "ms");
        Console.WriteLine($"      resume statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        report.Note($"Abuse 12: {Attempts:N0} raw stream attempts from 127.0.0.1, 64 at a time, the accepted ones held open; then {Resumes} resumes " +
            $"({ResumesInFlight} in flight) from a Last-Event-ID {backlog:N0} events old, each read until the stream is quiet for 300 ms; " +
            $"a fresh city snapshot is {snapshotBytes:N0} bytes. Caps: Hue__Live__MaxConnectionsPerClient, MaxConnectionsPerNode, MaxResumeEvents (defaults 32, 5,000, 200).");
    }

    private static long Sequence(string id) => long.Parse(id.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture);

    private sealed record Gauge(string Id, string DeviceKey);

    private static async Task<List<Gauge>> ProvisionGaugesAsync(HttpClient http, string operatorToken)
    {
        var gauges = new List<Gauge>();
        foreach (var commune in CityMap.Communes.Take(Communes))
        {
            var id = $"abuse-{commune.Code}-{Guid.NewGuid():N}"[..24];
            using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/sensors/{id}")
            {
                Content = JsonContent.Create(new { kind = "water-level", unit = "m", commune = commune.Code, latitude = 16.46, longitude = 107.57 }),
            };
            put.Headers.Authorization = new AuthenticationHeaderValue("Bearer", operatorToken);
            using var response = await http.SendAsync(put);
            response.EnsureSuccessStatusCode();
            var created = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            gauges.Add(new Gauge(id, created.GetProperty("deviceKey").GetString()!));
        }
        return gauges;
    }

    private static async Task PostReadingAsync(HttpClient http, Gauge gauge, double value)
    {
        using var post = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sensors/{gauge.Id}/readings")
        {
            Content = JsonContent.Create(new { at = DateTimeOffset.UtcNow, value }),
        };
        post.Headers.Add(DeviceKeyAuthentication.Header, gauge.DeviceKey);
        using var response = await http.SendAsync(post);
    }

    /// <summary>The id and size of the first event a new stream gets (its snapshot).</summary>
    private static async Task<(string Id, int Bytes)> FirstEventAsync(HttpClient http, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/live");
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? id = null;
        var bytes = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            bytes += Encoding.UTF8.GetByteCount(line) + 1;
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            if (line.Length == 0 && id is not null) return (id, bytes);
        }
        throw new InvalidOperationException("The live stream ended before its first event.");
    }

    /// <summary>Reads a resumed stream until it is quiet for 300 ms (at most 5 s): its status and the bytes it sent.</summary>
    private static async Task<(int Status, long Bytes)> ResumeAsync(HttpClient http, string lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/live");
        request.Headers.Add("Last-Event-ID", lastEventId);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long total = 0;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            int n;
            try
            {
                n = await body.ReadAsync(buffer, quiet.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (n == 0) break;
            total += n;
        }
        return ((int)response.StatusCode, total);
    }
}
