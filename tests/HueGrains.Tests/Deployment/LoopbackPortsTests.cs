using System.Net;
using System.Net.Sockets;
using HueGrains.Testing;

namespace HueGrains.Tests.Deployment;

/// <summary>
/// The ports tests and the bench hand to silos they start: free, never handed out twice, and outside the kernel's
/// ephemeral range, where an outgoing connection could take one before the silo binds it.
/// </summary>
public class LoopbackPortsTests
{
    [Fact]
    public void Ports_are_distinct_below_the_ephemeral_range_and_not_the_silo_default()
    {
        var ports = Enumerable.Range(0, 200).Select(_ => LoopbackPorts.Free()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 20_000, 31_999));
        Assert.DoesNotContain(30_000, ports);
    }

    [Fact]
    public void Every_free_port_of_a_range_is_handed_out_once_and_none_in_use()
    {
        // A range no other test draws from: every other port of it held, the rest must come out, each once.
        const int From = 19_000, To = 19_100;
        var held = new List<TcpListener>();
        try
        {
            for (var port = From; port < To; port += 2)
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                held.Add(listener);
            }
            var free = Enumerable.Range(From, To - From).Where(p => p % 2 == 1 && LoopbackPorts.Bindable(p)).ToHashSet();
            Assert.NotEmpty(free);

            var given = Enumerable.Range(0, free.Count).Select(_ => LoopbackPorts.Free(From, To)).ToList();

            Assert.Equal(free.OrderBy(p => p), given.OrderBy(p => p));
            Assert.Throws<InvalidOperationException>(() => LoopbackPorts.Free(From, To));
        }
        finally
        {
            foreach (var listener in held) listener.Dispose();
        }
    }
}
