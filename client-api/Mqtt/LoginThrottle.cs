using System.Net;

namespace HueGrains.Api.Mqtt;

/// <summary>
/// Failed MQTT logins per remote address: after <see cref="MqttOptions.MaxFailedLogins"/> within the window, the address
/// is refused without any lookup until the window ends. An IPv6 address counts by its /64 (one host may own all of it).
/// Memory is bounded: expired windows are dropped, and past <see cref="MaxTracked"/> addresses the oldest go first.
/// </summary>
public sealed class LoginThrottle(int maxFailures, TimeSpan window, TimeProvider clock)
{
    public const int MaxTracked = 100_000;

    private readonly Dictionary<string, (DateTimeOffset Start, int Failures)> _byAddress = [];
    private readonly Lock _lock = new();

    public bool IsBlocked(string address)
    {
        lock (_lock)
        {
            return _byAddress.TryGetValue(address, out var entry) && clock.GetUtcNow() - entry.Start < window && entry.Failures >= maxFailures;
        }
    }

    public void RecordFailure(string address)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (_byAddress.TryGetValue(address, out var entry) && now - entry.Start < window)
            {
                _byAddress[address] = (entry.Start, entry.Failures + 1);
                return;
            }
            if (_byAddress.Count >= MaxTracked) Prune(now);
            _byAddress[address] = (now, 1);
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (address, entry) in _byAddress.ToList())
        {
            if (now - entry.Start >= window) _byAddress.Remove(address);
        }
        if (_byAddress.Count < MaxTracked) return;
        foreach (var oldest in _byAddress.OrderBy(e => e.Value.Start).Take(MaxTracked / 10).Select(e => e.Key).ToList())
            _byAddress.Remove(oldest);
    }

    /// <summary>The key an address counts under: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64 prefix.</summary>
    public static string KeyOf(EndPoint? endpoint)
    {
        if (endpoint is not IPEndPoint { Address: var address }) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
