using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace HueGrains.LoadGen;

/// <summary>One keep-alive HTTP/1.1 connection, one request at a time (no pipelining); reads a response to its end.</summary>
public sealed class HttpConnection(string host, int port) : IDisposable
{
    private readonly byte[] _in = new byte[256 * 1024];
    private int _start, _end;
    private Socket? _socket;

    public async Task ConnectAsync()
    {
        _socket?.Dispose();
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await _socket.ConnectAsync(host, port);
        _start = _end = 0;
    }

    /// <summary>Sends the request and answers the response's status code, or 0 when the connection broke (it reconnects).</summary>
    public async Task<int> SendAsync(ReadOnlyMemory<byte> request)
    {
        try
        {
            if (_socket is null) await ConnectAsync();
            await _socket!.SendAsync(request);
            return await ReadResponseAsync();
        }
        catch (SocketException)
        {
            await ReconnectAsync();
            return 0;
        }
        catch (IOException)
        {
            await ReconnectAsync();
            return 0;
        }
    }

    private async Task ReconnectAsync()
    {
        try
        {
            await Task.Delay(10);
            await ConnectAsync();
        }
        catch (SocketException)
        {
            _socket = null;
        }
    }

    private async Task<int> ReadResponseAsync()
    {
        int headerEnd;
        while ((headerEnd = _in.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            if (!await FillAsync()) throw new IOException("closed");
        var head = _in.AsSpan(_start, headerEnd);
        if (!Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _)) throw new IOException("not an HTTP response");
        var (length, chunked, close) = Headers(head);
        _start += headerEnd + 4;
        if (chunked)
        {
            while (true)
            {
                int lineEnd;
                while ((lineEnd = _in.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
                    if (!await FillAsync()) throw new IOException("closed");
                if (!Utf8Parser.TryParse(_in.AsSpan(_start, lineEnd), out int size, out _, 'X')) throw new IOException("bad chunk size");
                _start += lineEnd + 2;
                await SkipAsync(size + 2);
                if (size == 0) break;
            }
        }
        else
        {
            await SkipAsync(length);
        }
        if (close) await ConnectAsync();
        return status;
    }

    private static (int Length, bool Chunked, bool Close) Headers(ReadOnlySpan<byte> head)
    {
        var (length, chunked, close) = (0, false, false);
        foreach (var range in head.Split("\r\n"u8))
        {
            var line = head[range];
            if (line.StartsWith("Content-Length:"u8) || line.StartsWith("content-length:"u8))
                _ = Utf8Parser.TryParse(line[15..].Trim((byte)' '), out length, out _);
            else if (line.StartsWith("Transfer-Encoding: chunked"u8) || line.StartsWith("transfer-encoding: chunked"u8))
                chunked = true;
            else if (line.StartsWith("Connection: close"u8) || line.StartsWith("connection: close"u8))
                close = true;
        }
        return (length, chunked, close);
    }

    private async Task SkipAsync(int count)
    {
        while (_end - _start < count)
        {
            count -= _end - _start;
            _start = _end = 0;
            if (!await FillAsync()) throw new IOException("closed");
        }
        _start += count;
        if (_start == _end) _start = _end = 0;
    }

    private async Task<bool> FillAsync()
    {
        if (_start > 0)
        {
            _in.AsSpan(_start, _end - _start).CopyTo(_in);
            (_end, _start) = (_end - _start, 0);
        }
        if (_end == _in.Length) throw new IOException("response headers too large");
        var read = await _socket!.ReceiveAsync(_in.AsMemory(_end), SocketFlags.None);
        if (read == 0) return false;
        _end += read;
        return true;
    }

    public void Dispose() => _socket?.Dispose();

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
