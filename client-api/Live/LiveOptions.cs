using System.ComponentModel.DataAnnotations;

namespace HueGrains.Api.Live;

/// <summary>Bound from <c>Hue:Live</c>: caps on the live feed (<c>GET /api/v1/live</c>), which the request rate limiter does not cover.</summary>
public sealed class LiveOptions
{
    public const string Section = "Hue:Live";

    /// <summary>Open streams per client: a token's subject, else a remote address (a browser opens one per tab).</summary>
    [Range(1, 100_000)] public int MaxConnectionsPerClient { get; set; } = 32;

    /// <summary>Open streams on this node, whoever holds them; each costs a few tens of KB.</summary>
    [Range(1, 1_000_000)] public int MaxConnectionsPerNode { get; set; } = 5_000;

    /// <summary>
    /// A client resuming (Last-Event-ID) more than this many events behind gets a fresh snapshot instead of the backlog:
    /// a replay is then no bigger than a snapshot or two (an event is a few hundred bytes, a city snapshot tens of KB).
    /// </summary>
    [Range(0, 100_000)] public int MaxResumeEvents { get; set; } = 200;

    /// <summary>What a refused client is told to wait (Retry-After).</summary>
    [Range(1, 3_600)] public int RetryAfterSeconds { get; set; } = 10;
}
