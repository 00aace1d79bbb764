using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace HueGrains.Grains;

/// <summary>
/// Posts signed webhook deliveries. Redirects are not followed (a 3xx is retried like a 5xx), and every connection is
/// opened here, to an address checked after resolution: a target name that resolves into loopback, private or
/// link-local ranges is refused unless its host is allowed, so a subscription cannot reach inside the city's network.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    public const string SignatureHeader = "X-Hue-Signature";
    public const string TimestampHeader = "X-Hue-Timestamp";
    public const string DeliveryHeader = "X-Hue-Delivery";

    private readonly HttpClient http;
    private readonly IReadOnlySet<string> allowed;

    public WebhookSender(IOptions<SubscriptionOptions> options)
    {
        allowed = options.Value.Allowed();
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2), // names are resolved (and checked) again at least this often
            ConnectCallback = ConnectAsync,
        };
        http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Hex HMAC-SHA256 of <c>{timestamp}.{body}</c> with the subscription's secret.</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    /// <param name="headers">Sent as well (a target kind's credentials); the signature headers are always ours.</param>
    public async Task<DeliveryOutcome> PostAsync(string url, string secret, string deliveryId, string body, TimeSpan timeout, DateTimeOffset now,
        CancellationToken ct, IReadOnlyDictionary<string, string>? headers = null)
    {
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(SignatureHeader, "sha256=" + Sign(secret, timestamp, body));
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(DeliveryHeader, deliveryId);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300) return new DeliveryOutcome(true, status, null, null, false);
            var redirect = status is >= 300 and < 400;
            var retryable = redirect || status is 408 or 429 || status >= 500;
            return new DeliveryOutcome(false, status, redirect ? "redirect" : "status", RetryAfter(response, now), retryable);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new DeliveryOutcome(false, null, "timeout", null, true);
        }
        catch (HttpRequestException e) when (e.InnerException is TargetRefusedException)
        {
            return new DeliveryOutcome(false, null, "address-refused", null, false);
        }
        catch (HttpRequestException)
        {
            return new DeliveryOutcome(false, null, "connection", null, true);
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) =>
        response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) ? null
        : response.Headers.RetryAfter?.Delta is { } delta ? delta
        : response.Headers.RetryAfter?.Date is { } date ? (date > now ? date - now : TimeSpan.Zero)
        : null;

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var usable = allowed.Contains(host) ? addresses : addresses.Where(a => !WebhookTargets.IsInternal(a)).ToArray();
        if (usable.Length == 0) throw new TargetRefusedException();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => http.Dispose();

    private sealed class TargetRefusedException : Exception;
}
