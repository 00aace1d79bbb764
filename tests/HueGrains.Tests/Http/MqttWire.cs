using System.Net;
using System.Net.Sockets;
using System.Text;
using HueGrains.Api.Ingest;
using HueGrains.Api.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HueGrains.Tests.Http;

/// <summary>Raw MQTT 3.1.1 bytes on loopback sockets, and edges of the fixture's platform with their own settings.</summary>
public static class MqttWire
{
    /// <summary>A CONNECT fixed header announcing 268,435,455 bytes (the MQTT maximum), then the start of its variable header.</summary>
    public static readonly byte[] HugeConnectStart = [0x10, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0xC2, 0x00, 0x3C, 0x00, 0x08];

    public static byte[] Connect(string clientId, string user, string password)
    {
        var body = new List<byte> { 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0xC2, 0x00, 0x3C };
        foreach (var field in new[] { clientId, user, password })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            body.AddRange([(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes]);
        }
        return [0x10, .. RemainingLength(body.Count), .. body];
    }

    public static byte[] RemainingLength(int length)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(length % 128);
            length /= 128;
            bytes.Add(length > 0 ? (byte)(b | 0x80) : b);
        } while (length > 0);
        return [.. bytes];
    }

    public static async Task<Socket> OpenAsync(int port, string from = "127.0.0.1", IPAddress? to = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
        await socket.ConnectAsync(new IPEndPoint(to ?? IPAddress.Loopback, port));
        return socket;
    }

    /// <summary>Whether a new connection is refused: reset while connecting (the server closed it at once) or soon after.</summary>
    public static async Task<bool> RefusedAsync(int port, string from = "127.0.0.1")
    {
        Socket socket;
        try
        {
            socket = await OpenAsync(port, from);
        }
        catch (SocketException)
        {
            return true;
        }
        using (socket) return await ClosedWithinAsync(socket, TimeSpan.FromSeconds(2));
    }

    /// <summary>The CONNACK's return code (0 accepted, 3 server unavailable, 4 bad user name or password), or -1 if closed first.</summary>
    public static async Task<int> ConnAckAsync(Socket socket)
    {
        var buffer = new byte[4];
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read < 4)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), timeout.Token);
            if (n == 0) return -1;
            read += n;
        }
        return buffer[3];
    }

    /// <summary>A QoS 1 PUBLISH of <paramref name="payload"/> to <c>hue/sensors/{sensor}/readings</c>.</summary>
    public static byte[] Publish(string sensor, ushort packetId, string payload)
    {
        var topic = Encoding.UTF8.GetBytes($"hue/sensors/{sensor}/readings");
        byte[] body = [(byte)(topic.Length >> 8), (byte)topic.Length, .. topic, (byte)(packetId >> 8), (byte)packetId, .. Encoding.UTF8.GetBytes(payload)];
        return [0x32, .. RemainingLength(body.Length), .. body];
    }

    /// <summary>What the server sent until it closed (or reset) the socket; null if it was still open after the time.</summary>
    public static async Task<byte[]?> ReceivedUntilClosedAsync(Socket socket, TimeSpan time)
    {
        var received = new List<byte>();
        var buffer = new byte[64];
        using var timeout = new CancellationTokenSource(time);
        try
        {
            while (await socket.ReceiveAsync(buffer, timeout.Token) is var n and > 0) received.AddRange(buffer.AsSpan(0, n));
            return [.. received];
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (SocketException)
        {
            return [.. received];
        }
    }

    /// <summary>Whether the server closed (or reset) the socket within the time.</summary>
    public static async Task<bool> ClosedWithinAsync(Socket socket, TimeSpan time) => await ReceivedUntilClosedAsync(socket, time) is not null;

    /// <summary>The local addresses listening on a TCP port, from /proc/net/tcp and /proc/net/tcp6 (no traffic sent).</summary>
    public static IReadOnlyList<string> Listeners(int port)
    {
        var hexPort = port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        var found = new List<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                if (local[1] == hexPort && fields[3] == "0A") found.Add(ParseProcAddress(local[0]).ToString());
            }
        }
        return found;
    }

    private static IPAddress ParseProcAddress(string hex)
    {
        // Each 32-bit word is in host (little-endian) order.
        var bytes = Convert.FromHexString(hex);
        for (var i = 0; i < bytes.Length; i += 4) Array.Reverse(bytes, i, 4);
        return new IPAddress(bytes);
    }

    /// <summary>An edge of the fixture's platform (same cluster, metrics, limiter) with its own settings and log.</summary>
    public static async Task<MqttEdge> StartEdgeAsync(ApiFixture api, MqttOptions options, ILogger<MqttEdge>? log = null, IDeviceKeyCheck? keys = null)
    {
        var args = new List<object> { Options.Create(options) };
        if (log is not null) args.Add(log);
        if (keys is not null) args.Add(keys);
        var edge = ActivatorUtilities.CreateInstance<MqttEdge>(api.App.Services, [.. args]);
        await edge.StartAsync(CancellationToken.None);
        return edge;
    }

    public static async Task StopAsync(MqttEdge edge)
    {
        await edge.StopAsync(CancellationToken.None);
        edge.Dispose();
    }
}

/// <summary>Counts the lines an edge logs at Warning or above.</summary>
public sealed class CountingLog<T> : ILogger<T>
{
    private int _warnings;

    public int Warnings => Volatile.Read(ref _warnings);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Warning) Interlocked.Increment(ref _warnings);
    }
}
