using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;

namespace HueGrains.Api.Mqtt;

/// <summary>
/// An MQTT channel that follows packet boundaries as bytes pass and ends the stream (a read of 0 bytes, which MQTTnet
/// takes for a closed connection) on a fixed header that announces more than the limit: MQTTnet 5.2 allocates a packet's
/// whole body as soon as it has read the remaining length, so the check must come before that byte is handed over.
/// The first packet (CONNECT, before any login) has a far smaller limit than the packets after it.
/// </summary>
public sealed class MqttPacketGuard(IMqttChannel inner, int maxConnectBytes, int maxPacketBytes) : IMqttChannel
{
    private const int MaxLengthBytes = 4; // MQTT §1.5.5: the remaining length is at most four bytes

    private bool _inHeader = true;
    private bool _typeRead;
    private int _lengthBytes;
    private long _length;
    private long _multiplier = 1;
    private long _bodyLeft;
    private volatile bool _connectReceived;

    /// <summary>The first packet has been read whole (what the CONNECT deadline waits for).</summary>
    public bool ConnectReceived => _connectReceived;

    /// <summary>Why the stream was ended, if it was: "too-large" or "malformed".</summary>
    public string? Refusal { get; private set; }

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;
    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;
    public EndPoint LocalEndPoint => inner.LocalEndPoint;
    public bool IsSecureConnection => inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    /// <summary>
    /// Bytes read from the socket and not yet handed to MQTTnet. MQTTnet reads a packet's fixed header and its body
    /// separately: without this, a one-reading PUBLISH cost two receive calls (measured with strace under W1c, 2 bytes
    /// then 87); with it, one. Small, because it is kept per connection; a larger read goes straight to MQTTnet's buffer.
    /// </summary>
    private readonly byte[] _buffered = new byte[ReadBufferBytes];
    private int _bufferedStart, _bufferedEnd;

    /// <summary>What one receive call may read ahead: a one-reading PUBLISH is about 90 bytes.</summary>
    public const int ReadBufferBytes = 512;

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (Refusal is not null) return 0;
        if (_bufferedStart == _bufferedEnd)
        {
            if (count >= ReadBufferBytes)
            {
                var direct = await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
                return Accept(buffer.AsSpan(offset, direct)) ? direct : 0;
            }
            var read = await inner.ReadAsync(_buffered, 0, ReadBufferBytes, cancellationToken).ConfigureAwait(false);
            if (read == 0) return 0;
            (_bufferedStart, _bufferedEnd) = (0, read);
        }
        var handed = _buffered.AsSpan(_bufferedStart, Math.Min(count, _bufferedEnd - _bufferedStart));
        if (!Accept(handed)) return 0;
        handed.CopyTo(buffer.AsSpan(offset));
        _bufferedStart += handed.Length;
        return handed.Length;
    }

    /// <summary>Follows the bytes read; false (and <see cref="Refusal"/> set) when they must not reach MQTTnet.</summary>
    public bool Accept(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            if (!_inHeader)
            {
                var take = (int)Math.Min(_bodyLeft, bytes.Length - i);
                i += take;
                _bodyLeft -= take;
                if (_bodyLeft == 0) EndPacket();
                continue;
            }
            var b = bytes[i++];
            if (!_typeRead)
            {
                _typeRead = true;
                continue;
            }
            _length += (b & 0x7F) * _multiplier;
            _multiplier *= 128;
            if (++_lengthBytes > MaxLengthBytes) return Refuse("malformed");
            if (_length > (_connectReceived ? maxPacketBytes : maxConnectBytes)) return Refuse("too-large");
            if ((b & 0x80) != 0) continue;
            if (_length == 0)
            {
                EndPacket();
            }
            else
            {
                _inHeader = false;
                _bodyLeft = _length;
            }
        }
        return true;
    }

    private void EndPacket()
    {
        _connectReceived = true;
        (_inHeader, _typeRead, _lengthBytes, _length, _multiplier) = (true, false, 0, 0, 1);
    }

    private bool Refuse(string reason)
    {
        Refusal = reason;
        return false;
    }

    public void Dispose() => inner.Dispose();
}
