using System.Text.Json;
using HueGrains.Api.Endpoints;
using HueGrains.Api.Problems;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace HueGrains.Api.Ingest;

/// <summary>Marks the endpoint whose device requests the <see cref="DeviceLane"/> may serve.</summary>
public sealed class DeviceLaneEndpoint
{
    public static readonly DeviceLaneEndpoint Readings = new();
}

/// <summary>
/// The lean request path of a device posting JSON readings to its sensor (<c>X-Device-Key</c>, no bearer token). It
/// runs right after the exception handler and skips what a device does not need: the JWT and policy schemes, status-code
/// pages, the per-client rate limiter (the device quota applies), authorization policies, reflection-based body binding
/// and endpoint filters. The key is checked against the key index before any grain call, as on the full path. What the
/// lane does not fully understand (a browser's Origin, another content type, a chunked or large body, JSON that is not
/// a plain reading or batch, an unknown key, another sensor's id) continues down the full pipeline, body intact, so
/// every refusal keeps the answer it has always had.
/// </summary>
public sealed class DeviceLane(RequestDelegate next, IDeviceKeyIndex keys, DeviceIngest ingest, IOptions<RateLimiterOptions> limits)
{
    /// <summary>The per-client limiter (<see cref="Hardening"/>), asked for this device's own bucket.</summary>
    private readonly PartitionedRateLimiter<HttpContext>? _clientLimits = limits.Value.GlobalLimiter;

    /// <summary>A batch of 1,000 readings is about 50 KB; beyond this the full path reads the body.</summary>
    private const int MaxLaneBody = 128 * 1024;

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (http.GetEndpoint()?.Metadata.GetMetadata<DeviceLaneEndpoint>() is null
            || !HttpMethods.IsPost(request.Method)
            || request.Headers.ContainsKey(HeaderNames.Authorization) || request.Headers.ContainsKey(HeaderNames.Origin)
            || request.ContentLength is not (> 0 and <= MaxLaneBody) || !IsJson(request.ContentType)
            || !request.Headers.TryGetValue(DeviceKeyAuthentication.Header, out var presented)
            || request.RouteValues["id"] is not string id)
        {
            await next(http);
            return;
        }
        var key = presented.ToString().Trim();
        var keyHash = key.Length is < 16 or > 256 ? null : DeviceKeys.Hash(key);
        if (keyHash is null || await keys.SensorOfAsync(keyHash, http.RequestAborted) != id)
        {
            await next(http); // 401 for an unknown key, 403 for another sensor's: the full path answers
            return;
        }

        var body = new byte[(int)request.ContentLength.Value];
        await request.Body.ReadExactlyAsync(body, http.RequestAborted);
        if (!ReadingsReader.TryRead(body, out var readings, out var single))
        {
            request.Body = new MemoryStream(body, writable: false);
            await next(http);
            return;
        }

        Hardening.SecurityHeaders(http.Response);
        http.Items[Hardening.DeviceItem] = id;
        if (_clientLimits is not null)
        {
            using var lease = _clientLimits.AttemptAcquire(http);
            if (!lease.IsAcquired)
            {
                await Hardening.TooManyAsync(http, lease);
                return;
            }
        }
        if (!ingest.TryTakeQuota("http", keyHash, readings.Count))
        {
            await DeviceRateLimiter.TooMany(http).ExecuteAsync(http);
            return;
        }
        var result = await RetryTransient.RunAsync(() => ingest.IngestAsync("http", id, readings, keyHash, null, http.RequestAborted), http.RequestAborted);
        SensorsApi.ThrowIfNothingUsable(result, single);
        await WriteAcceptedAsync(http, id, result);
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        && (media.Charset.Length == 0 || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    /// <summary>The endpoint's 202 (Location, and the <see cref="IngestResult"/> as the API's JSON) written directly.</summary>
    private static async Task WriteAcceptedAsync(HttpContext http, string id, IngestResult result)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status202Accepted;
        response.Headers.Location = $"/api/v1/sensors/{id}";
        response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        IngestAnswer.Write(json, result);
        await json.FlushAsync(http.RequestAborted);
    }
}
