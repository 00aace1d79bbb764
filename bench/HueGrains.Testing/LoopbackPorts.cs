using System.Net;
using System.Net.Sockets;

namespace HueGrains.Testing;

/// <summary>Loopback ports for the silos, brokers and databases that tests and the bench start.</summary>
public static class LoopbackPorts
{
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A loopback port free now, below the kernel's ephemeral range (32768-60999 by default): a port the OS picked from
    /// that range could be taken by an outgoing connection (to PostgreSQL, from a load generator) before the silo binds it
    /// seconds later (seen once: "address already in use" at a silo's start). Never the same port twice in one process;
    /// two test processes draw from the same range independently, so they rarely (not never) pick the same one.
    /// </summary>
    public static int Free() => Free(20_000, 32_000);

    /// <summary><see cref="Free()"/> as a configuration value.</summary>
    public static string FreeSetting() => Free().ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A free loopback port in [<paramref name="from"/>, <paramref name="to"/>) not handed out before, scanned from a random start.</summary>
    public static int Free(int from, int to)
    {
        lock (Given)
        {
            var start = Random.Shared.Next(from, to);
            for (var i = 0; i < to - from; i++)
            {
                var port = from + (start - from + i) % (to - from);
                if (port == DefaultGatewayPort || Given.Contains(port) || !Bindable(port)) continue;
                Given.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"No free loopback port between {from} and {to}.");
    }

    /// <summary>The silo's default gateway port (a developer's own silo may be running).</summary>
    private const int DefaultGatewayPort = 30_000;

    /// <summary>Whether a listener could take the loopback port now.</summary>
    public static bool Bindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
