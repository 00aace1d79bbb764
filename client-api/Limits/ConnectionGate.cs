namespace HueGrains.Api.Limits;

/// <summary>Why a <see cref="ConnectionGate"/> refused a connection (also the <c>reason</c> tag of its metric).</summary>
public enum GateRefusal { None, Client, Node }

/// <summary>
/// Caps long-lived connections (server-sent events, sockets) per client and per node. A client is whatever key the
/// caller chooses: a token's subject, a device, else a remote address. Transport-neutral, so any edge can use it.
/// </summary>
public sealed class ConnectionGate(int maxPerClient, int maxPerNode)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _byClient = new(StringComparer.Ordinal);
    private int _total;

    public int MaxPerClient { get; } = maxPerClient;
    public int MaxPerNode { get; } = maxPerNode;

    /// <summary>Connections open on this node.</summary>
    public int Open
    {
        get { lock (_lock) return _total; }
    }

    /// <summary>A lease to dispose when the connection ends, or null with the cap that refused it.</summary>
    public IDisposable? TryEnter(string client, out GateRefusal refusal)
    {
        lock (_lock)
        {
            var mine = _byClient.GetValueOrDefault(client);
            refusal = _total >= MaxPerNode ? GateRefusal.Node : mine >= MaxPerClient ? GateRefusal.Client : GateRefusal.None;
            if (refusal != GateRefusal.None) return null;
            _byClient[client] = mine + 1;
            _total++;
        }
        return new Lease(this, client);
    }

    private void Leave(string client)
    {
        lock (_lock)
        {
            _total--;
            // Remove empty entries: the dictionary holds only clients that are connected, never every address seen.
            if (_byClient[client] is var n && n <= 1) _byClient.Remove(client);
            else _byClient[client] = n - 1;
        }
    }

    private sealed class Lease(ConnectionGate gate, string client) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) gate.Leave(client);
        }
    }
}
