using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HueGrains.Testing;

namespace HueGrains.Bench.Abuse;

/// <summary>
/// Issue 14's MQTT probes re-run against the shipped binary, on loopback only and bounded in count and time:
/// item 1 (4 CONNECT headers announcing 256 MB each) and item 3 (wrong-password CONNECTs for made-up sensor ids).
/// </summary>
public static class MqttAbuse
{
    private const string Workload = "abuse";

    /// <param name="activations">Sensor activations created so far (<c>orleans_catalog_activation_created_total{grain_type="sensor"}</c> in /metrics).</param>
    /// <param name="heapBytes">The silo's managed heap now, if the caller can read it.</param>
    public static async Task RunAsync(Report report, SiloProcess silo, int mqttPort, Func<Task<long>> activations,
        Func<Task<double>>? heapBytes = null, int failedLogins = 5_000)
    {
        await OversizedHeadersAsync(report, silo, mqttPort, heapBytes);
        await FailedLoginsAsync(report, silo, mqttPort, activations, Math.Min(failedLogins, 20_000));
    }

    private static async Task OversizedHeadersAsync(Report report, SiloProcess silo, int port, Func<Task<double>>? heapBytes)
    {
        var rssBefore = RssMiB(silo.ProcessId);
        var heapBefore = heapBytes is null ? double.NaN : await heapBytes();
        var sockets = new List<Socket>();
        for (var i = 0; i < 4; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            // CONNECT, remaining length 268,435,455 (0xFF 0xFF 0xFF 0x7F), then the start of its variable header: 17 bytes.
            await socket.SendAsync((byte[])[0x10, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0xC2, 0x00, 0x3C, 0x00, 0x08]);
            sockets.Add(socket);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        var rssGrowth = RssMiB(silo.ProcessId) - rssBefore;
        var stillOpen = 0;
        foreach (var socket in sockets)
        {
            if (!await ClosedAsync(socket, TimeSpan.FromMilliseconds(200))) stillOpen++;
            socket.Dispose();
        }
        report.Add(Workload, "MQTT 4 CONNECT headers announcing 256 MB: RSS growth", [rssGrowth], "MiB", "< 10",
            "before (issue 14): large-object heap +1.05 GB");
        if (heapBytes is not null)
            report.Add(Workload, "MQTT 4 CONNECT headers announcing 256 MB: managed heap growth", [(await heapBytes() - heapBefore) / 1024 / 1024], "MiB", "< 10");
        report.Add(Workload, "MQTT 4 CONNECT headers announcing 256 MB: sockets still open after 2 s", [stillOpen], "sockets", "0",
            "before: open until the 100 s MQTTnet timeout");
    }

    private static async Task FailedLoginsAsync(Report report, SiloProcess silo, int port, Func<Task<long>> activations, int count)
    {
        var warningsBefore = WarningLines(silo.Output);
        var activationsBefore = await activations();
        var (refusedFast, reset) = (0, 0);
        var watch = Stopwatch.StartNew();
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = budget.Token },
                async (i, ct) =>
                {
                    var id = $"nobody-{i}-{Guid.NewGuid():N}";
                    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    try
                    {
                        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
                        await socket.SendAsync(Connect(id, id, "a-made-up-device-key-0000000000000000"), ct);
                        if (await ConnAckAsync(socket, ct) == 3) Interlocked.Increment(ref refusedFast);
                    }
                    catch (SocketException)
                    {
                        Interlocked.Increment(ref reset); // refused by a connection cap
                    }
                });
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("    failed logins: stopped at the 60 s budget");
        }
        var seconds = watch.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(1)); // let the last log lines arrive
        await Task.Delay(1500); // past the exporter's cached scrape
        report.Add(Workload, $"MQTT {count:N0} wrong-password CONNECTs: sensor activations added", [await activations() - activationsBefore], "activations", "0",
            "before (issue 14): 20,000 for 20,000 in 6.6 s");
        report.Add(Workload, $"MQTT {count:N0} wrong-password CONNECTs: warning lines added", [WarningLines(silo.Output) - warningsBefore], "lines", "≤ 1 per reason per minute",
            "before: 20,000");
        report.Add(Workload, $"MQTT {count:N0} wrong-password CONNECTs: refused by the throttle without lookup", [refusedFast], "logins");
        report.Add(Workload, $"MQTT {count:N0} wrong-password CONNECTs: reset by a connection cap", [reset], "connections");
        report.Add(Workload, $"MQTT {count:N0} wrong-password CONNECTs: duration", [seconds], "s");
    }

    private static byte[] Connect(string clientId, string user, string password)
    {
        var body = new List<byte> { 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0xC2, 0x00, 0x3C };
        foreach (var field in new[] { clientId, user, password })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            body.AddRange([(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes]);
        }
        return body.Count < 128 ? [0x10, (byte)body.Count, .. body] : [0x10, (byte)(body.Count % 128 | 0x80), (byte)(body.Count / 128), .. body];
    }

    /// <summary>The CONNACK return code, or -1 when the connection closed first.</summary>
    private static async Task<int> ConnAckAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[4];
        for (var read = 0; read < 4;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), ct);
            if (n == 0) return -1;
            read += n;
        }
        return buffer[3];
    }

    private static async Task<bool> ClosedAsync(Socket socket, TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await socket.ReceiveAsync(new byte[16], timeout.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static int WarningLines(string output) =>
        output.Split('\n').Count(l => l.Contains("warn:", StringComparison.Ordinal) || l.Contains("\"Warning\"", StringComparison.Ordinal));

    private static double RssMiB(int pid) => File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).Single();
}
