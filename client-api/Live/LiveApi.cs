using System.Text;
using System.Text.Json;
using HueGrains.Api.Limits;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace HueGrains.Api.Live;

/// <summary>
/// <c>GET /api/v1/live</c>: Server-Sent Events of indicator changes and alerts for the city, or one commune with
/// <c>?commune=</c>, from the durable change feed. Event ids are feed positions: a new client first gets a
/// <c>snapshot</c>; a client that reconnects with <c>Last-Event-ID</c>, to this node or another, before or after a restart,
/// gets exactly the events after it, at most <see cref="LiveOptions.MaxResumeEvents"/> of them (else a fresh snapshot). Streams are capped per client and per node by <see cref="LiveGate"/> (429 beyond).
/// </summary>
public static class LiveApi
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapLiveApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/live", StreamAsync).AllowAnonymous().WithTags("City").WithName("StreamLive")
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Server-Sent Events: indicators and alerts of the city or one commune (?commune=), resumable with Last-Event-ID.");
        return app;
    }

    /// <param name="commune">Only this commune's indicators and alerts.</param>
    /// <param name="lastEventId">For clients that cannot send the Last-Event-ID header.</param>
    public static async Task StreamAsync(HttpContext http, string? commune, string? lastEventId, LiveFeed feed, LiveGate gate, IOptions<JsonOptions> json)
    {
        if (commune is not null && !Keys.IsCommune(commune)) throw new HueNotFoundException($"No commune has code '{commune}'.");
        using var connected = gate.TryEnter(http, out var refusal);
        if (connected is null)
        {
            await RefuseAsync(http, refusal, gate.Options.RetryAfterSeconds);
            return;
        }
        var ct = http.RequestAborted;
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no"; // proxies must not hold events back
        var options = json.Value.SerializerOptions;
        var exact = Endpoints.PublicFigures.SeesExactCounts(http.User); // the public gets counts about people as Disclosure publishes them
        bool Mine(LiveEvent e) => commune is null || e.Scope == commune;

        long sent;
        var asked = LiveFeed.PositionOf(http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? lastEventId);
        // Further behind than the cap: a snapshot costs less than the backlog, and a short request cannot ask for megabytes.
        if (asked is { } after && await feed.MissedAsync(after, commune, gate.Options.MaxResumeEvents, ct) is { } backlog)
        {
            foreach (var e in backlog.Events) await WriteAsync(http.Response, e, exact, feed.Current, options, ct);
            sent = backlog.Through;
        }
        else
        {
            var (city, position) = await feed.SnapshotAsync(ct);
            await WriteAsync(http.Response, LiveFeed.IdOf(position), "snapshot", Snapshot(city, commune), exact, city, options, ct);
            sent = position;
        }
        await http.Response.WriteAsync("retry: 2000\n\n", ct);

        try
        {
            while (!ct.IsCancellationRequested)
            {
                foreach (var e in feed.After(sent))
                {
                    sent = e.Position;
                    if (Mine(e)) await WriteAsync(http.Response, e, exact, feed.Current, options, ct);
                }
                await http.Response.Body.FlushAsync(ct);
                var (_, changed) = feed.Position();
                if (feed.After(sent).Count > 0) continue;
                if (await Task.WhenAny(changed, Task.Delay(Heartbeat, ct)) != changed) await http.Response.WriteAsync(": keep-alive\n\n", ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the client went away
        }
    }

    private static Task RefuseAsync(HttpContext http, GateRefusal refusal, int retryAfterSeconds)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var detail = refusal == GateRefusal.Node
            ? "This node serves as many live streams as it can; retry after the given seconds, or reach another node."
            : "This client has as many live streams open as it may; close one, or retry after the given seconds.";
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many live streams.").ExecuteAsync(http);
    }

    private static string Published(object data, CityView? city, JsonSerializerOptions options)
    {
        var node = Disclosure.Apply(JsonSerializer.SerializeToNode(data, options), options)!;
        // The city's own totals are disclosed beside its communes: an event's totals with the communes the node knows.
        if (data is IndicatorsEvent { Scope: Keys.City } e && city is not null) city = city with { Indicators = e.Indicators };
        if (city is not null && node["scope"]?.GetValue<string>() == Keys.City) Disclosure.ApplyCity((node["city"] ?? node)["indicators"]?.AsObject(), city);
        return node.ToJsonString(options);
    }

    private static object Snapshot(CityView? city, string? commune) => commune is null
        ? new { scope = Keys.City, city }
        : new
        {
            scope = commune,
            commune = city?.Communes.FirstOrDefault(c => c.Code == commune),
            activeAlerts = city?.ActiveAlerts.Where(a => a.Commune == commune).ToList() ?? [],
        };

    private static Task WriteAsync(HttpResponse response, LiveEvent e, bool exact, CityView? city, JsonSerializerOptions options, CancellationToken ct) =>
        WriteAsync(response, LiveFeed.IdOf(e.Position), e.Type, e.Data, exact, city, options, ct);

    /// <param name="exact">Staff get exact counts; the public gets them as <see cref="Disclosure"/> publishes them.</param>
    /// <param name="city">The city view whose communes the city's own totals sit beside.</param>
    private static async Task WriteAsync(HttpResponse response, string id, string type, object data, bool exact, CityView? city,
        JsonSerializerOptions options, CancellationToken ct)
    {
        var payload = exact ? JsonSerializer.Serialize(data, options) : Published(data, city, options);
        var frame = new StringBuilder()
            .Append("id: ").Append(id).Append('\n')
            .Append("event: ").Append(type).Append('\n')
            .Append("data: ").Append(payload).Append("\n\n");
        await response.WriteAsync(frame.ToString(), ct);
    }
}
