using System.Buffers.Text;
using System.Diagnostics;
using System.Text;

namespace HueGrains.LoadGen;

/// <summary>
/// HTTP load from pre-built request bytes: each request only gets its device's ready-made head, its Content-Length and
/// timestamps written in place (every reading's time is unique: the reading's sequence number in milliseconds after the
/// origin). Kinds: single readings, JSON batches of 100, SenML packs of 100, or GETs of the given paths.
/// </summary>
public sealed class HttpLoad : ILoad
{
    private const int Batch = 100;
    private readonly string _kind;
    private readonly int _connections;
    private readonly bool _once;
    private readonly long _originTicks;
    private readonly byte[][] _heads; // per device: the request up to "Content-Length: "; per path: the whole GET request
    private readonly byte[][] _ids;
    private readonly HttpConnection[] _open;
    private readonly long[] _statuses = new long[600];
    private long _sequence = -1;

    public HttpLoad(Options options)
    {
        _kind = options.Text("kind") ?? "single";
        _connections = options.Number("connections", 64);
        _once = options.Flag("once");
        _originTicks = DateTimeOffset.FromUnixTimeMilliseconds(options.Whole("origin-ms", DateTimeOffset.UtcNow.AddHours(-12).ToUnixTimeMilliseconds())).UtcTicks;
        var (host, port) = (options.Text("host") ?? "127.0.0.1", options.Number("port"));
        var authority = $"{host}:{port}";
        if (_kind == "get")
        {
            _heads = [.. File.ReadLines(options.Text("paths")!).Where(p => p.Length > 0)
                .Select(p => HttpConnection.Ascii($"GET {p} HTTP/1.1\r\nHost: {authority}\r\n\r\n"))];
            _ids = [];
        }
        else
        {
            var devices = options.Devices();
            var template = options.Text("path-template") ?? (_kind == "senml" ? "/api/v1/readings" : "/api/v1/sensors/{id}/readings");
            var type = _kind == "senml" ? "application/senml+json" : "application/json";
            _heads = [.. devices.Select(d => HttpConnection.Ascii($"POST {template.Replace("{id}", d.Id, StringComparison.Ordinal)} HTTP/1.1\r\nHost: {authority}\r\n" +
                (d.Key.Length > 0 ? $"X-Device-Key: {d.Key}\r\n" : "") + $"Content-Type: {type}\r\nContent-Length: "))];
            _ids = [.. devices.Select(d => Encoding.UTF8.GetBytes(d.Id))];
        }
        _open = [.. Enumerable.Range(0, _connections).Select(_ => new HttpConnection(host, port))];
    }

    public Task ConnectAsync() => Task.WhenAll(_open.Select(c => c.ConnectAsync()));

    public async Task<LoadResult> RunAsync(TimeSpan duration, double rate)
    {
        var latencies = new Latencies(_connections);
        long units = 0, failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, _connections).Select(c => Task.Run(async () =>
        {
            var pacer = new Pacer(rate, _connections, c);
            var buffer = new byte[16 * 1024];
            var body = new byte[16 * 1024];
            while (clock.Elapsed < duration)
            {
                await pacer.WaitAsync();
                var sequence = Interlocked.Increment(ref _sequence);
                if (_once && sequence >= _heads.Length) break;
                var request = Build(sequence, buffer, body);
                var start = Stopwatch.GetTimestamp();
                var status = await _open[c].SendAsync(request);
                latencies.Add(c, start);
                Interlocked.Increment(ref _statuses[status]);
                if (status is >= 200 and < 300) Interlocked.Add(ref units, _kind is "batch" or "senml" ? Batch : 1);
                else Interlocked.Increment(ref failures);
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        var (p50, p99) = latencies.Percentiles();
        foreach (var connection in _open) connection.Dispose();
        return new LoadResult
        {
            Requests = _statuses.Sum(), Units = units, Failures = failures, Seconds = seconds, P50Ms = p50, P99Ms = p99,
            Statuses = _statuses.Select((n, s) => (n, s)).Where(x => x.n > 0).ToDictionary(x => x.s.ToString(System.Globalization.CultureInfo.InvariantCulture), x => x.n),
        };
    }

    private ReadOnlyMemory<byte> Build(long sequence, byte[] buffer, byte[] body)
    {
        var device = (int)(sequence % _heads.Length);
        if (_kind == "get") return _heads[device];
        var first = sequence * (_kind == "single" ? 1 : Batch); // the sequence number of the request's first reading
        var length = _kind switch
        {
            "single" => SingleBody(body, first),
            "batch" => BatchBody(body, first),
            "senml" => SenmlBody(body, _ids[device], first),
            _ => throw new InvalidOperationException($"Unknown kind {_kind}: single, batch, senml or get."),
        };
        var head = _heads[device];
        head.CopyTo(buffer, 0);
        var at = head.Length;
        Utf8Formatter.TryFormat(length, buffer.AsSpan(at), out var digits);
        at += digits;
        "\r\n\r\n"u8.CopyTo(buffer.AsSpan(at));
        at += 4;
        body.AsSpan(0, length).CopyTo(buffer.AsSpan(at));
        return buffer.AsMemory(0, at + length);
    }

    private int Time(Span<byte> into, long reading)
    {
        new DateTime(_originTicks + reading * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc).TryFormat(into, out var written, "O");
        return written;
    }

    private int SingleBody(byte[] body, long reading)
    {
        var span = body.AsSpan();
        var at = Write(span, 0, "{\"at\":\""u8);
        at += Time(span[at..], reading);
        return Write(span, at, "\",\"value\":0.5}"u8);
    }

    private int BatchBody(byte[] body, long first)
    {
        var span = body.AsSpan();
        var at = Write(span, 0, "{\"readings\":["u8);
        for (var i = 0; i < Batch; i++)
        {
            at = Write(span, at, i == 0 ? "{\"at\":\""u8 : ",{\"at\":\""u8);
            at += Time(span[at..], first + i);
            at = Write(span, at, "\",\"value\":0.5}"u8);
        }
        return Write(span, at, "]}"u8);
    }

    /// <summary>SenML: the base time in seconds with milliseconds, then each record 1 ms after the previous one.</summary>
    private int SenmlBody(byte[] body, byte[] id, long first)
    {
        var span = body.AsSpan();
        var at = Write(span, 0, "[{\"bn\":\""u8);
        at = Write(span, at, id);
        at = Write(span, at, "\",\"bt\":"u8);
        var ms = (_originTicks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond + first;
        Utf8Formatter.TryFormat(ms / 1000, span[at..], out var w);
        at += w;
        span[at++] = (byte)'.';
        Utf8Formatter.TryFormat(ms % 1000, span[at..], out w, new System.Buffers.StandardFormat('D', 3));
        at += w;
        at = Write(span, at, ",\"bu\":\"m\",\"v\":0.5}"u8);
        for (var i = 1; i < Batch; i++)
        {
            at = Write(span, at, ",{\"t\":"u8);
            Utf8Formatter.TryFormat(i / 1000.0, span[at..], out w);
            at += w;
            at = Write(span, at, ",\"v\":0.5}"u8);
        }
        return Write(span, at, "]"u8);
    }

    private static int Write(Span<byte> span, int at, ReadOnlySpan<byte> text)
    {
        text.CopyTo(span[at..]);
        return at + text.Length;
    }
}
