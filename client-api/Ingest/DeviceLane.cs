using System.Text.Json;
using HueGrains.Api.Endpoints;
using HueGrains.Api.Problems;
using Microsoft.Net.Http.Headers;

namespace HueGrains.Api.Ingest;

/// <summary>Marks the endpoints whose device requests the <see cref="DeviceLane"/> may serve.</summary>
public sealed class DeviceLaneEndpoint
{
    /// <summary>A sensor's JSON readings: <c>POST /api/v1/sensors/{id}/readings</c>.</summary>
    public static readonly DeviceLaneEndpoint Readings = new();

    /// <summary>A SenML pack: <c>POST /api/v1/readings</c>, the sensor named by the device key.</summary>
    public static readonly DeviceLaneEndpoint Senml = new();
}

/// <summary>
/// The lean request path of a device posting readings (<c>X-Device-Key</c>, no bearer token): JSON to its sensor, or a
/// SenML pack of its own sensor's readings (<see cref="SenmlReader"/>). It
/// runs right after the exception handler and skips what a device does not need: the JWT and policy schemes, status-code
/// pages, the per-client rate limiter (a device has its own quota), authorization policies, reflection-based body binding
/// and endpoint filters. The key is checked against the key index before any grain call, as on the full path. What the
/// lane does not fully understand (a browser's Origin, another content type, a chunked or large body, JSON that is not
/// a plain reading or batch, a pack with another sensor's readings or two units, an unknown key, another sensor's id)
/// continues down the full pipeline, body intact, so every refusal keeps the answer it has always had.
/// </summary>
public sealed class DeviceLane(RequestDelegate next, IDeviceKeyIndex keys, DeviceIngest ingest, TimeProvider clock)
{
    /// <summary>A batch of 1,000 readings is about 50 KB; beyond this the full path reads the body.</summary>
    private const int MaxLaneBody = 128 * 1024;

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        var lane = http.GetEndpoint()?.Metadata.GetMetadata<DeviceLaneEndpoint>();
        var senml = lane == DeviceLaneEndpoint.Senml;
        var routeId = request.RouteValues["id"] as string;
        if (lane is null
            || !HttpMethods.IsPost(request.Method)
            || request.Headers.ContainsKey(HeaderNames.Authorization) || request.Headers.ContainsKey(HeaderNames.Origin)
            || request.ContentLength is not (> 0 and <= MaxLaneBody)
            || !(senml ? IsMedia(request.ContentType, Senml.ContentType, anyCharset: true) : IsMedia(request.ContentType, "application/json", anyCharset: false))
            || !request.Headers.TryGetValue(DeviceKeyAuthentication.Header, out var presented)
            || (!senml && routeId is null))
        {
            await next(http);
            return;
        }
        var key = presented.ToString().Trim();
        var keyHash = key.Length is < 16 or > 256 ? null : DeviceKeys.Hash(key);
        var id = keyHash is null ? null : await keys.SensorOfAsync(keyHash, http.RequestAborted);
        if (keyHash is null || id is null || (!senml && id != routeId))
        {
            await next(http); // 401 for an unknown key, 403 for another sensor's: the full path answers
            return;
        }

        var body = new byte[(int)request.ContentLength.Value];
        await request.Body.ReadExactlyAsync(body, http.RequestAborted);
        List<Reading> readings;
        List<int>? indices = null;
        string? unit = null;
        var single = false;
        if (senml ? !SenmlReader.TryRead(body, id, clock.GetUtcNow(), out readings, out indices, out unit) : !ReadingsReader.TryRead(body, out readings, out single))
        {
            request.Body = new MemoryStream(body, writable: false);
            await next(http);
            return;
        }

        Hardening.SecurityHeaders(http.Response);
        http.Items[Hardening.DeviceItem] = id;
        var transport = senml ? "senml" : "http";
        // The SenML endpoint's quota counts requests, as its full path does; a sensor's readings count each reading.
        if (!ingest.TryTakeQuota(transport, keyHash, senml ? 1 : readings.Count))
        {
            await DeviceRateLimiter.TooMany(http).ExecuteAsync(http);
            return;
        }
        IngestResult result;
        try
        {
            result = await RetryTransient.RunAsync(() => ingest.IngestAsync(transport, id, readings, keyHash, unit, http.RequestAborted), http.RequestAborted);
        }
        catch (Exception ex) when (senml && ex is HueValidationException or HueNotFoundException or HueForbiddenException)
        {
            // The pack's path answers a sensor's refusal as rejected readings of the pack: it answers this one, as it always has.
            request.Body = new MemoryStream(body, writable: false);
            await next(http);
            return;
        }
        if (senml)
        {
            ReadingsApi.ThrowIfAllRejected(result.Results.Select((r, i) => (indices![i], r.Status, r.Reason)));
            await WriteAcceptedAsync(http, "/api/v1/readings", json => IngestAnswer.WriteBatch(json, id, result));
            return;
        }
        SensorsApi.ThrowIfNothingUsable(result, single);
        await WriteAcceptedAsync(http, $"/api/v1/sensors/{id}", json => IngestAnswer.Write(json, result));
    }

    private static bool IsMedia(string? contentType, string mediaType, bool anyCharset) =>
        contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase)
        && (anyCharset || media.Charset.Length == 0 || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    /// <summary>The endpoint's 202 (Location, and its result as the API's JSON) written directly.</summary>
    private static async Task WriteAcceptedAsync(HttpContext http, string location, Action<Utf8JsonWriter> write)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status202Accepted;
        response.Headers.Location = location;
        response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        write(json);
        await json.FlushAsync(http.RequestAborted);
    }
}
