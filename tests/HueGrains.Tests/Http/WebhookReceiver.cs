using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using HueGrains.Testing;

namespace HueGrains.Tests.Http;

/// <summary>
/// A webhook target on 127.0.0.1: answers each delivery as <see cref="Answer"/> says (by attempt number, from 1) and
/// keeps every request it got, and apart those it accepted in time.
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    public sealed record Request(int Attempt, string Body, string? Signature, string? Timestamp, string? DeliveryId, DateTimeOffset At,
        IReadOnlyDictionary<string, string?> Headers);

    /// <summary>The status to answer, and how long to wait first (longer than the platform's timeout: a timeout).</summary>
    public Func<int, (int Status, TimeSpan Delay)> Answer { get; set; } = _ => (200, TimeSpan.Zero);

    /// <summary>Sent as <c>Retry-After</c> (seconds) with every 429 and 503.</summary>
    public int? RetryAfterSeconds { get; set; }

    public ConcurrentQueue<Request> All { get; } = new();

    public ConcurrentQueue<Request> Accepted { get; } = new();

    public string Url { get; }

    private readonly HttpListener listener = new();
    private int attempts;

    public WebhookReceiver()
    {
        var port = LoopbackPorts.Free();
        Url = $"http://127.0.0.1:{port}/hook";
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(ListenAsync);
    }

    private async Task ListenAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var headers = context.Request.Headers;
        var request = new Request(Interlocked.Increment(ref attempts), await reader.ReadToEndAsync(),
            headers["X-Hue-Signature"], headers["X-Hue-Timestamp"], headers["X-Hue-Delivery"], DateTimeOffset.UtcNow,
            headers.AllKeys.OfType<string>().ToDictionary(k => k, k => headers[k], StringComparer.OrdinalIgnoreCase));
        All.Enqueue(request);
        var (status, delay) = Answer(request.Attempt);
        try
        {
            if (delay > TimeSpan.Zero) await Task.Delay(delay);
            else if (status is >= 200 and < 300) Accepted.Enqueue(request);
            context.Response.StatusCode = status;
            if (status is 429 or 503 && RetryAfterSeconds is { } seconds) context.Response.AddHeader("Retry-After", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // the platform gave up waiting
        }
    }

    /// <summary>What a receiver checks: <c>sha256=</c> hex HMAC-SHA256 of "{timestamp}.{body}" with the secret.</summary>
    public static bool Verifies(Request request, string secret) =>
        request.Signature is { } signature && request.Timestamp is { } timestamp
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature),
            Encoding.ASCII.GetBytes("sha256=" + Convert.ToHexStringLower(
                HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{request.Body}")))));

    public void Dispose() => listener.Close();
}
