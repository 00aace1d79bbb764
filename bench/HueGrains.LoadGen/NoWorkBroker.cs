using System.Net;
using MQTTnet.Server;

namespace HueGrains.LoadGen;

/// <summary>The MQTT ceiling: an MQTTnet broker that accepts every client and publish and does nothing with them.</summary>
public static class NoWorkBroker
{
    public static async Task RunAsync(int port)
    {
        var factory = new MqttServerFactory();
        var options = factory.CreateServerOptionsBuilder().WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port).Build();
        using var server = factory.CreateMqttServer(options);
        await server.StartAsync();
        Console.WriteLine("READY");
        Console.ReadLine(); // runs until its standard input closes
        await server.StopAsync();
    }
}
