using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using HueGrains.Api.Mqtt;
using Microsoft.Extensions.Time.Testing;
using MQTTnet.Channel;

namespace HueGrains.Tests.Http;

/// <summary>The MQTT edge's per-message economies: one receive call per small packet, one deadline timer per slice.</summary>
public class MqttReadAheadTests
{
    /// <summary>Two one-reading PUBLISH packets as a device sends them, back to back.</summary>
    private static byte[] TwoPublishes()
    {
        static byte[] Publish(byte id) => [0x32, 6, 0, 1, (byte)'t', 0, id, (byte)'{'];
        return [.. Publish(1), .. Publish(2)];
    }

    [Fact]
    public async Task Small_packets_take_one_receive_call_and_reach_MQTTnet_in_the_pieces_it_asks_for()
    {
        var wire = TwoPublishes();
        var socket = new ChunkedChannel([wire]);
        var guard = new MqttPacketGuard(socket, maxConnectBytes: 64, maxPacketBytes: 64);

        // MQTTnet reads the fixed header (2 bytes), then the body it announces (6), for each packet.
        var received = new List<byte>();
        foreach (var count in new[] { 2, 6, 2, 6 })
        {
            var buffer = new byte[count];
            Assert.Equal(count, await guard.ReadAsync(buffer, 0, count, CancellationToken.None));
            received.AddRange(buffer);
        }

        Assert.Equal(wire, received);
        Assert.Equal(1, socket.Reads);
        Assert.True(guard.ConnectReceived);
        Assert.Null(guard.Refusal);
    }

    [Fact]
    public async Task An_oversized_packet_read_ahead_is_refused_when_its_header_is_handed_over_not_before()
    {
        byte[] oversized = [0x32, 0xFF, 0x7F]; // announces 16,383 bytes; its first length byte alone says more than 100
        var socket = new ChunkedChannel([[.. TwoPublishes()[..8], .. oversized]]);
        var guard = new MqttPacketGuard(socket, maxConnectBytes: 64, maxPacketBytes: 100);

        Assert.Equal(2, await guard.ReadAsync(new byte[2], 0, 2, CancellationToken.None));
        Assert.Equal(6, await guard.ReadAsync(new byte[6], 0, 6, CancellationToken.None));
        Assert.Null(guard.Refusal); // the first packet went through whole

        var header = new byte[2];
        Assert.Equal(0, await guard.ReadAsync(header, 0, 2, CancellationToken.None)); // MQTTnet sees a closed stream
        Assert.Equal("too-large", guard.Refusal);
        Assert.Equal(new byte[2], header); // and never the announced length
        Assert.Equal(0, await guard.ReadAsync(new byte[2], 0, 2, CancellationToken.None));
        Assert.Equal(1, socket.Reads);
    }

    [Fact]
    public async Task A_large_read_goes_straight_to_MQTTnets_buffer()
    {
        var body = new byte[MqttPacketGuard.ReadBufferBytes + 100];
        Random.Shared.NextBytes(body);
        var socket = new ChunkedChannel([[0x32, 0xE4, 0x04], body]); // a 612-byte body
        var guard = new MqttPacketGuard(socket, maxConnectBytes: 4096, maxPacketBytes: 4096);

        Assert.Equal(2, await guard.ReadAsync(new byte[2], 0, 2, CancellationToken.None));
        Assert.Equal(1, await guard.ReadAsync(new byte[1], 0, 1, CancellationToken.None)); // the length's second byte
        var target = new byte[body.Length];
        Assert.Equal(body.Length, await guard.ReadAsync(target, 0, body.Length, CancellationToken.None));
        Assert.Equal(body, target);
        Assert.Equal(0, await guard.ReadAsync(new byte[2], 0, 2, CancellationToken.None)); // the socket closed
        Assert.Equal(3, socket.Reads);
    }

    [Fact]
    public void Publishes_in_one_slice_share_a_deadline_that_falls_between_the_timeout_and_one_slice_more()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero)); // a slice starts here
        var deadlines = new SharedDeadline(TimeSpan.FromSeconds(10), clock);

        var first = deadlines.Next();
        clock.Advance(SharedDeadline.Resolution - TimeSpan.FromMilliseconds(1));
        Assert.Equal(first, deadlines.Next()); // a publish at the end of the same slice
        clock.Advance(TimeSpan.FromMilliseconds(2));
        var later = deadlines.Next();
        Assert.NotEqual(first, later);

        clock.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(3));
        Assert.False(first.IsCancellationRequested); // the slice's last publish has not had its 10 s yet
        clock.Advance(TimeSpan.FromMilliseconds(3));
        Assert.True(first.IsCancellationRequested); // its first publish had 10 s and one slice
        Assert.False(later.IsCancellationRequested);
        clock.Advance(SharedDeadline.Resolution + TimeSpan.FromMilliseconds(1));
        Assert.True(later.IsCancellationRequested);
    }

    /// <summary>A socket that delivers the given chunks, one per receive call, then end of stream.</summary>
    private sealed class ChunkedChannel(byte[][] chunks) : IMqttChannel
    {
        private int _next;
        private int _offset;

        public int Reads { get; private set; }

        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Reads++;
            if (_next == chunks.Length) return Task.FromResult(0);
            var chunk = chunks[_next];
            var n = Math.Min(count, chunk.Length - _offset);
            chunk.AsSpan(_offset, n).CopyTo(buffer.AsSpan(offset));
            _offset += n;
            if (_offset == chunk.Length) (_next, _offset) = (_next + 1, 0);
            return Task.FromResult(n);
        }

        public X509Certificate2 ClientCertificate => null!;
        public EndPoint RemoteEndPoint => new IPEndPoint(IPAddress.Loopback, 1);
        public EndPoint LocalEndPoint => new IPEndPoint(IPAddress.Loopback, 2);
        public bool IsSecureConnection => false;
        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task DisconnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) => Task.CompletedTask;
        public void Dispose() { }
    }
}
