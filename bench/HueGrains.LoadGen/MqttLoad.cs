using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HueGrains.LoadGen;

/// <summary>
/// MQTT 3.1.1 publishers over raw sockets: one device per connection (its id and key as user name and password),
/// pre-built QoS 1 PUBLISH packets with the reading's time written in place, one in flight, acknowledged by PUBACK.
/// On IPv4 loopback the devices come from <see cref="DevicesPerAddress"/> per source address (127.0.0.1, .2, …), as a
/// city's devices come from many networks: the silo's per-address connection limit (200) stays at its default.
/// </summary>
public sealed class MqttLoad(Options options) : ILoad
{
    private readonly (string Id, string Key)[] _devices = options.Devices().Take(options.Number("connections", 64)).ToArray();
    private readonly long _originTicks = DateTimeOffset.FromUnixTimeMilliseconds(options.Whole("origin-ms", DateTimeOffset.UtcNow.AddHours(-12).ToUnixTimeMilliseconds())).UtcTicks;
    private NetworkStream[] _streams = [];

    private const int DevicesPerAddress = 100;

    public async Task ConnectAsync()
    {
        var host = options.Text("host") ?? "127.0.0.1";
        var spread = IPAddress.TryParse(host, out var address) && address.Equals(IPAddress.Loopback);
        _streams = await Task.WhenAll(_devices.Select(async (d, c) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (spread) socket.Bind(new IPEndPoint(new IPAddress([127, 0, 0, (byte)(1 + c / DevicesPerAddress % 254)]), 0));
            await socket.ConnectAsync(host, options.Number("port"));
            var stream = new NetworkStream(socket, ownsSocket: true);
            await stream.WriteAsync(Connect(d.Id, d.Key, options.Flag("anonymous")));
            var ack = new byte[4];
            await stream.ReadExactlyAsync(ack);
            if (ack[0] != 0x20 || ack[3] != 0) throw new InvalidOperationException($"CONNECT of {d.Id} refused: return code {ack[3]}");
            return stream;
        }));
    }

    public async Task<LoadResult> RunAsync(TimeSpan duration, double rate)
    {
        var latencies = new Latencies(_streams.Length);
        long requests = 0, acked = 0, failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(_streams.Select((stream, c) => Task.Run(async () =>
        {
            var pacer = new Pacer(rate, _streams.Length, c);
            var topic = Encoding.UTF8.GetBytes($"hue/sensors/{_devices[c].Id}/readings");
            var packet = new byte[topic.Length + 128];
            var header = new byte[2];
            var rest = new byte[256];
            for (long n = 0; clock.Elapsed < duration; n++)
            {
                await pacer.WaitAsync();
                var length = Publish(packet, topic, (ushort)(n % 65535 + 1), n * _streams.Length + c);
                var start = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref requests);
                try
                {
                    await stream.WriteAsync(packet.AsMemory(0, length));
                    while (true)
                    {
                        await stream.ReadExactlyAsync(header);
                        await stream.ReadExactlyAsync(rest.AsMemory(0, header[1]));
                        if (header[0] == 0x40) break; // PUBACK
                    }
                    latencies.Add(c, start);
                    Interlocked.Increment(ref acked);
                }
                catch (IOException)
                {
                    Interlocked.Increment(ref failures);
                    break; // the broker closed the connection (a refused publish): this publisher stops
                }
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        foreach (var stream in _streams) await stream.DisposeAsync();
        var (p50, p99) = latencies.Percentiles();
        return new LoadResult { Requests = requests, Units = acked, Failures = failures, Seconds = seconds, P50Ms = p50, P99Ms = p99 };
    }

    private static byte[] Connect(string id, string key, bool anonymous)
    {
        var payload = new List<byte>();
        Text(payload, id);
        if (!anonymous)
        {
            Text(payload, id);
            Text(payload, key);
        }
        byte flags = anonymous ? (byte)0x02 : (byte)0xC2; // clean session, user name and password
        byte[] variable = [0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, flags, 0, 0]; // keep-alive off
        var remaining = variable.Length + payload.Count;
        var packet = new List<byte> { 0x10 };
        do
        {
            var b = (byte)(remaining % 128);
            remaining /= 128;
            packet.Add(remaining > 0 ? (byte)(b | 0x80) : b);
        } while (remaining > 0);
        return [.. packet, .. variable, .. payload];
    }

    private static void Text(List<byte> into, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        into.Add((byte)(bytes.Length >> 8));
        into.Add((byte)bytes.Length);
        into.AddRange(bytes);
    }

    /// <summary>PUBLISH, QoS 1: topic, packet id and {"at":"…","value":0.5}; the remaining length stays under 128.</summary>
    private int Publish(byte[] packet, byte[] topic, ushort packetId, long reading)
    {
        var at = 2;
        packet[at++] = (byte)(topic.Length >> 8);
        packet[at++] = (byte)topic.Length;
        topic.CopyTo(packet, at);
        at += topic.Length;
        packet[at++] = (byte)(packetId >> 8);
        packet[at++] = (byte)packetId;
        "{\"at\":\""u8.CopyTo(packet.AsSpan(at));
        at += 7;
        new DateTime(_originTicks + reading * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc).TryFormat(packet.AsSpan(at), out var written, "O");
        at += written;
        "\",\"value\":0.5}"u8.CopyTo(packet.AsSpan(at));
        at += 14;
        packet[0] = 0x32;
        packet[1] = (byte)(at - 2);
        return at;
    }
}
