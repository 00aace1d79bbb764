using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace HueGrains.Api.Mqtt;

/// <summary>
/// The broker's TCP (and TLS) listeners, in place of MQTTnet's own, which bind IPv6 "any" beside any IPv4 address, read
/// a packet of any announced size and leave a silent socket open for 100 s. This one binds exactly the configured
/// addresses, caps connections per node and per address, closes a connection that has not completed TLS and CONNECT
/// within the deadline, and bounds each packet's size while it is read (<see cref="MqttPacketGuard"/>).
/// </summary>
public sealed partial class MqttTcpFront(MqttOptions options, X509Certificate2? certificate, MqttRefusals refusals, ILogger log) : IMqttServerAdapter
{
    private readonly List<Socket> _listeners = [];
    private readonly ConcurrentDictionary<string, int> _perAddress = new();
    private int _open;
    private CancellationTokenSource? _stopping;
    private MqttServerOptions _server = null!;
    private IMqttNetLogger _mqttLog = null!;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>The plain port, or the TLS port when plain MQTT is off.</summary>
    public int Port => options.Port != 0 ? options.Port : options.Tls.Port;

    /// <summary>Connections open now (logged in or not).</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    public Task StartAsync(MqttServerOptions serverOptions, IMqttNetLogger logger)
    {
        (_server, _mqttLog, _stopping) = (serverOptions, logger, new CancellationTokenSource());
        foreach (var address in options.Addresses())
        {
            if (options.Port != 0) Listen(new IPEndPoint(address, options.Port), tls: false);
            if (options.Tls.Enabled) Listen(new IPEndPoint(address, options.Tls.Port), tls: true);
        }
        return Task.CompletedTask;
    }

    private void Listen(IPEndPoint endpoint, bool tls)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // "::" means IPv6 only: an IPv4 address is listened on when it is configured, never implied.
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = false;
        socket.Bind(endpoint);
        socket.Listen(512);
        _listeners.Add(socket);
        LogListening(log, endpoint.Address.ToString(), endpoint.Port, tls);
        _ = AcceptAsync(socket, tls, _stopping!.Token);
    }

    private async Task AcceptAsync(Socket listener, bool tls, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // reset before it was accepted
            }
            // Admitted here, in accept order, so that the caps hold exactly under a burst.
            var address = LoginThrottle.KeyOf(client.RemoteEndPoint);
            if (!TryAdmit(address))
            {
                client.Close(0);
                continue;
            }
            _ = Task.Run(() => ServeAsync(client, address, tls, stopping), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket socket, string address, bool tls, CancellationToken stopping)
    {
        MqttPacketGuard? guard = null;
        Stream? stream = null;
        try
        {
            socket.NoDelay = true;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            deadline.CancelAfter(TimeSpan.FromSeconds(options.ConnectTimeoutSeconds));
            // Whatever it is waiting on (TLS, the first bytes, the rest of CONNECT), the socket closes at the deadline.
            await using var closeIfLate = deadline.Token.Register(() =>
            {
                if (guard?.ConnectReceived == true) return;
                refusals.Add("connect-timeout");
                socket.Dispose();
            });
            stream = new NetworkStream(socket, ownsSocket: false);
            if (tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl; // disposed below even when the handshake fails
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, deadline.Token);
            }
            guard = new MqttPacketGuard(new MqttTcpChannel(stream, socket.LocalEndPoint, socket.RemoteEndPoint, null),
                options.MaxConnectBytes, options.MaxPacketBytes);
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(_server.WriterBufferSize, _server.WriterBufferSizeMax));
            using (var adapter = new MqttChannelAdapter(guard, formatter, _mqttLog))
            {
                if (ClientHandler is { } handler) await handler(adapter);
            }
            if (guard.Refusal is { } refusal) refusals.Add(refusal == "too-large" && !guard.ConnectReceived ? "connect-too-large" : refusal);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException
            or System.Security.Authentication.AuthenticationException)
        {
            LogClosed(log, ex.GetType().Name); // a client that went away, failed TLS or missed the deadline
        }
        catch (Exception ex)
        {
            LogFailed(log, ex); // never an unobserved exception from the accept loop's task
        }
        finally
        {
            if (stream is not null) await stream.DisposeAsync();
            socket.Dispose();
            Release(address);
        }
    }

    private bool TryAdmit(string address)
    {
        if (Interlocked.Increment(ref _open) > options.MaxConnections)
        {
            Interlocked.Decrement(ref _open);
            refusals.Add("node-cap");
            return false;
        }
        if (_perAddress.AddOrUpdate(address, 1, (_, n) => n + 1) > options.MaxConnectionsPerAddress)
        {
            Release(address);
            refusals.Add("address-cap");
            return false;
        }
        return true;
    }

    private void Release(string address)
    {
        Interlocked.Decrement(ref _open);
        // Remove the entry at zero, so addresses seen once do not accumulate.
        if (_perAddress.AddOrUpdate(address, 0, (_, n) => n - 1) <= 0) _perAddress.TryRemove(new KeyValuePair<string, int>(address, 0));
    }

    public Task StopAsync()
    {
        _stopping?.Cancel();
        foreach (var listener in _listeners) listener.Dispose();
        _listeners.Clear();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        StopAsync();
        _stopping?.Dispose();
    }

    [LoggerMessage(LogLevel.Information, "MQTT edge listening on {Address} port {Port} (TLS: {Tls})")]
    private static partial void LogListening(ILogger log, string address, int port, bool tls);

    [LoggerMessage(LogLevel.Debug, "MQTT connection closed before or during its session: {Reason}")]
    private static partial void LogClosed(ILogger log, string reason);

    [LoggerMessage(LogLevel.Warning, "An MQTT connection failed unexpectedly")]
    private static partial void LogFailed(ILogger log, Exception ex);
}
