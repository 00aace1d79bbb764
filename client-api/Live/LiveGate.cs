using HueGrains.Api.Limits;
using Microsoft.Extensions.Options;

namespace HueGrains.Api.Live;

/// <summary>The live feed's <see cref="ConnectionGate"/>: keys a request by its token's subject, else its address, and counts refusals.</summary>
public sealed class LiveGate
{
    private readonly ConnectionGate _gate;
    private readonly System.Diagnostics.Metrics.Counter<long> _refused;

    public LiveGate(IOptions<LiveOptions> options, HueMetrics metrics)
    {
        Options = options.Value;
        _gate = new ConnectionGate(Options.MaxConnectionsPerClient, Options.MaxConnectionsPerNode);
        _refused = metrics.Meter.CreateCounter<long>("hue.sse.refused", "{connection}", "Live (SSE) connections refused; tagged with the cap (client or node).");
    }

    public LiveOptions Options { get; }

    public int Open => _gate.Open;

    public IDisposable? TryEnter(HttpContext http, out GateRefusal refusal)
    {
        var client = http.User.FindFirstValue(HueClaims.Subject) is { } subject ? $"sub:{subject}" : $"ip:{http.Connection.RemoteIpAddress}";
        var lease = _gate.TryEnter(client, out refusal);
        if (lease is null) _refused.Add(1, new KeyValuePair<string, object?>("reason", refusal == GateRefusal.Node ? "node" : "client"));
        return lease;
    }
}
