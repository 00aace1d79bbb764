using System.Net;
using System.Net.Sockets;
using HueGrains.Testing;

namespace HueGrains.Tests.Deployment;

/// <summary>
/// The ports tests and the bench hand to silos they start: free, never handed out twice, and outside the kernel's
/// ephemeral range, where an outgoing connection could take one before the silo binds it.
/// </summary>
public class FreePortTests
{
    [Fact]
    public void Ports_are_bindable_distinct_and_below_the_ephemeral_range()
    {
        var ports = Enumerable.Range(0, 200).Select(_ => ThrowawayPostgres.FreePort()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 20_000, 31_999));
        using var listener = new TcpListener(IPAddress.Loopback, ports[0]);
        listener.Start(); // still free
    }

    [Fact]
    public void A_port_in_use_is_not_handed_out()
    {
        var taken = new List<TcpListener>();
        try
        {
            // Hold a block of the range; none of it may come back.
            for (var port = 20_000; port < 20_100; port++)
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                try
                {
                    listener.Start();
                    taken.Add(listener);
                }
                catch (SocketException)
                {
                    listener.Dispose();
                }
            }
            var held = taken.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToHashSet();
            var given = Enumerable.Range(0, 300).Select(_ => ThrowawayPostgres.FreePort());
            Assert.DoesNotContain(given, held.Contains);
        }
        finally
        {
            foreach (var listener in taken) listener.Dispose();
        }
    }
}
