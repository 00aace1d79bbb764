using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using HueGrains.Api.Ingest;
using HueGrains.Api.Mqtt;
using HueGrains.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace HueGrains.Tests.Http;

/// <summary>The MQTT edge against a hostile client (issue 14, items 1–5), on loopback only and bounded in count and time.</summary>
[Collection(ApiCollection.Name)]
public class MqttEdgeDefenceTests(ApiFixture api)
{
    private async Task<(string Id, string Key)> ProvisionAsync()
    {
        var id = $"md-{Guid.NewGuid():N}";
        var created = await (await api.As(Roles.Operator).PutJson($"/api/v1/sensors/{id}",
            new { kind = "water-level", unit = "m", commune = "19753", latitude = 16.46, longitude = 107.58 })).Json();
        return (id, created.GetProperty("deviceKey").GetString()!);
    }

    private static MqttOptions EdgeOptions(Action<MqttOptions>? configure = null)
    {
        var options = new MqttOptions { Port = LoopbackPorts.Free() };
        configure?.Invoke(options);
        return options;
    }

    private async Task<IMqttClient> ConnectAsync(string clientId, string id, string key, MqttProtocolVersion version = MqttProtocolVersion.V311, int? port = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port ?? api.MqttPort).WithProtocolVersion(version)
            .WithClientId(clientId).WithCredentials(id, key).WithCleanSession().Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    private static MqttApplicationMessage Reading(string id, string payload) => new MqttApplicationMessageBuilder()
        .WithTopic($"hue/sensors/{id}/readings").WithPayload(payload)
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    [Fact]
    public async Task Four_CONNECT_headers_announcing_256_MB_allocate_nothing_and_are_closed()
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var sockets = new List<Socket>();
        for (var i = 0; i < 4; i++)
        {
            var socket = await MqttWire.OpenAsync(api.MqttPort);
            await socket.SendAsync(MqttWire.HugeConnectStart);
            sockets.Add(socket);
        }
        await Task.Delay(500); // the broker has read the headers
        var growth = GC.GetTotalMemory(forceFullCollection: true) - before;

        foreach (var socket in sockets)
        {
            Assert.True(await MqttWire.ClosedWithinAsync(socket, TimeSpan.FromSeconds(2)), "an oversized CONNECT must be closed at once");
            socket.Dispose();
        }
        Assert.True(growth < 10 * 1024 * 1024, $"managed heap grew {growth / 1024 / 1024} MB");
    }

    [Fact]
    public async Task A_logged_in_devices_20_MB_PUBLISH_is_refused_on_its_header()
    {
        var (id, key) = await ProvisionAsync();
        using var socket = await MqttWire.OpenAsync(api.MqttPort);
        await socket.SendAsync(MqttWire.Connect(id, id, key));
        Assert.Equal(0, await MqttWire.ConnAckAsync(socket));

        var before = GC.GetTotalMemory(forceFullCollection: true);
        await socket.SendAsync((byte[])[0x32, .. MqttWire.RemainingLength(20 * 1024 * 1024), 0x00, 0x05, (byte)'h', (byte)'u', (byte)'e']);
        Assert.True(await MqttWire.ClosedWithinAsync(socket, TimeSpan.FromSeconds(2)), "a PUBLISH over the limit must be closed before its body is read");
        Assert.True(GC.GetTotalMemory(forceFullCollection: true) - before < 10 * 1024 * 1024);
    }

    [Fact]
    public async Task A_silent_socket_and_a_half_sent_CONNECT_are_closed_after_the_timeout()
    {
        var edge = await MqttWire.StartEdgeAsync(api, EdgeOptions(o => o.ConnectTimeoutSeconds = 1));
        try
        {
            var port = edge.Front!.Port;
            using var silent = await MqttWire.OpenAsync(port);
            using var halfSent = await MqttWire.OpenAsync(port);
            await halfSent.SendAsync(MqttWire.Connect("x", "y", "z").AsMemory(0, 6));

            Assert.True(await MqttWire.ClosedWithinAsync(silent, TimeSpan.FromSeconds(4)), "a silent socket stays open");
            Assert.True(await MqttWire.ClosedWithinAsync(halfSent, TimeSpan.FromSeconds(1)), "a half-sent CONNECT stays open");
        }
        finally
        {
            await MqttWire.StopAsync(edge);
        }
    }

    [Fact]
    public async Task Connections_over_the_per_address_and_per_node_caps_are_refused()
    {
        var edge = await MqttWire.StartEdgeAsync(api, EdgeOptions(o => (o.MaxConnectionsPerAddress, o.MaxConnections) = (3, 5)));
        var open = new List<Socket>();
        try
        {
            var port = edge.Front!.Port;
            for (var i = 0; i < 3; i++) open.Add(await MqttWire.OpenAsync(port));
            Assert.True(await MqttWire.RefusedAsync(port), "a 4th connection from one address is kept");

            for (var i = 0; i < 2; i++) open.Add(await MqttWire.OpenAsync(port, from: "127.0.0.2")); // another loopback address
            Assert.True(await MqttWire.RefusedAsync(port, from: "127.0.0.3"), "a 6th connection to the node is kept");
            foreach (var socket in open)
                Assert.False(await MqttWire.ClosedWithinAsync(socket, TimeSpan.FromMilliseconds(50)), "a connection under the caps was closed");
        }
        finally
        {
            open.ForEach(s => s.Dispose());
            await MqttWire.StopAsync(edge);
        }
    }

    [Fact]
    public async Task The_broker_listens_on_exactly_the_configured_addresses()
    {
        Assert.Equal(["127.0.0.1"], MqttWire.Listeners(api.MqttPort)); // Hue:Mqtt:Host defaults to 127.0.0.1: no [::]

        var edge = await MqttWire.StartEdgeAsync(api, EdgeOptions(o => o.Host = "127.0.0.1, ::1"));
        try
        {
            Assert.Equal(["127.0.0.1", "::1"], MqttWire.Listeners(edge.Front!.Port));
        }
        finally
        {
            await MqttWire.StopAsync(edge);
        }
    }

    [Fact]
    public async Task A_thousand_failed_logins_activate_no_sensor_and_log_a_bounded_count()
    {
        var log = new CountingLog<MqttEdge>();
        var edge = await MqttWire.StartEdgeAsync(api, EdgeOptions(o => o.MaxFailedLogins = 1_000_000), log); // no throttling here
        var ids = Enumerable.Range(0, 1_000).Select(_ => $"nobody-{Guid.NewGuid():N}").ToList();
        try
        {
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) =>
            {
                using var socket = await MqttWire.OpenAsync(edge.Front!.Port);
                await socket.SendAsync(MqttWire.Connect(id, id, "a-made-up-device-key-000000000000"));
                Assert.Equal(4, await MqttWire.ConnAckAsync(socket)); // bad user name or password
            });
        }
        finally
        {
            await MqttWire.StopAsync(edge);
        }

        var active = await api.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetActiveGrains(GrainType.Create("sensor"));
        var activated = active.Select(g => Keys.SensorIdOf(g.Key.ToString()!)).Intersect(ids).Count();
        Assert.Equal(0, activated);
        Assert.True(log.Warnings <= 2, $"{log.Warnings} warning lines for 1,000 failed logins");
    }

    [Fact]
    public async Task Repeated_failures_from_one_address_are_refused_without_any_lookup()
    {
        var (id, key) = await ProvisionAsync();
        var keys = new CountingKeyCheck(api.App.Services.GetRequiredService<IDeviceKeyCheck>());
        var edge = await MqttWire.StartEdgeAsync(api, EdgeOptions(o => o.MaxFailedLogins = 5), keys: keys);
        try
        {
            var codes = new List<int>();
            for (var i = 0; i < 20; i++)
            {
                using var socket = await MqttWire.OpenAsync(edge.Front!.Port);
                await socket.SendAsync(MqttWire.Connect($"c{i}", id, "not-the-key-of-this-sensor"));
                codes.Add(await MqttWire.ConnAckAsync(socket));
            }
            Assert.Equal(5, keys.Calls);
            Assert.All(codes.Take(5), c => Assert.Equal(4, c));
            Assert.All(codes.Skip(5), c => Assert.Equal(3, c)); // server unavailable: try later

            using var other = await MqttWire.OpenAsync(edge.Front!.Port, from: "127.0.0.2"); // another address is not held up
            await other.SendAsync(MqttWire.Connect(id, id, key));
            Assert.Equal(0, await MqttWire.ConnAckAsync(other));
        }
        finally
        {
            await MqttWire.StopAsync(edge);
        }
    }

    [Fact]
    public async Task A_device_cannot_take_over_another_devices_client_id()
    {
        var (a, keyA) = await ProvisionAsync();
        var (b, keyB) = await ProvisionAsync();
        using var deviceA = await ConnectAsync(a, a, keyA);
        var aDropped = new TaskCompletionSource();
        deviceA.DisconnectedAsync += _ => { aDropped.TrySetResult(); return Task.CompletedTask; };

        using var deviceB = await ConnectAsync(a, b, keyB); // B's credentials, A's client id
        await Task.WhenAny(aDropped.Task, Task.Delay(1_000));

        Assert.False(aDropped.Task.IsCompleted, "A was disconnected by B");
        Assert.True((await deviceA.PublishAsync(Reading(a, JsonSerializer.Serialize(new { at = DateTimeOffset.UtcNow, value = 1.1 })))).IsSuccess);
        Assert.True((await deviceB.PublishAsync(Reading(b, JsonSerializer.Serialize(new { at = DateTimeOffset.UtcNow, value = 2.2 })))).IsSuccess);
    }

    [Theory]
    [InlineData("rotate")]
    [InlineData("revoke")]
    public async Task A_session_ends_within_5_s_of_its_key_being_rotated_or_revoked(string change)
    {
        var (id, key) = await ProvisionAsync();
        using var device = await ConnectAsync(id, id, key, MqttProtocolVersion.V500);
        var dropped = new TaskCompletionSource<MqttClientDisconnectReason>();
        device.DisconnectedAsync += e => { dropped.TrySetResult(e.Reason); return Task.CompletedTask; };

        var operatorClient = api.As(Roles.Operator);
        var response = change == "rotate"
            ? await operatorClient.PostAsync($"/api/v1/sensors/{id}/key", null)
            : await operatorClient.DeleteAsync($"/api/v1/sensors/{id}/key");
        Assert.True(response.IsSuccessStatusCode, response.StatusCode.ToString());

        Assert.Same(dropped.Task, await Task.WhenAny(dropped.Task, Task.Delay(TimeSpan.FromSeconds(5))));
        Assert.Equal(MqttClientDisconnectReason.NotAuthorized, await dropped.Task);
    }

    [Fact]
    public async Task A_publish_that_throws_ends_with_an_answer_never_a_hang()
    {
        var (id, key) = await ProvisionAsync();
        using var device = await ConnectAsync(id, id, key, MqttProtocolVersion.V500);
        var dropped = new TaskCompletionSource<MqttClientDisconnectReason>();
        device.DisconnectedAsync += e => { dropped.TrySetResult(e.Reason); return Task.CompletedTask; };

        // A time past DateTimeOffset's range: the parser throws (not a validation error) on this version.
        var publish = device.PublishAsync(Reading(id, $$"""[{"bn":"{{id}}:","n":"level","v":1,"t":1e20}]"""));
        var ended = await Task.WhenAny(publish, dropped.Task, Task.Delay(TimeSpan.FromSeconds(5)));

        if (ended == publish && publish.IsCompletedSuccessfully) return; // acknowledged (with a reason): an answer
        Assert.Same(dropped.Task, await Task.WhenAny(dropped.Task, Task.Delay(TimeSpan.FromSeconds(5))));
        Assert.NotEqual(MqttClientDisconnectReason.NormalDisconnection, await dropped.Task); // a DISCONNECT with a reason
    }

    [Fact]
    public async Task A_publish_not_durable_by_its_deadline_gets_no_PUBACK_and_its_resend_is_acknowledged()
    {
        var (id, key) = await ProvisionAsync();
        var at = DateTimeOffset.UtcNow.AddSeconds(-5);
        var publish = MqttWire.Publish(id, 1, $$"""{"at":"{{at:O}}","value":1.5}""");
        MqttEdge? edge = null;
        try
        {
            api.Journal.Hold(id); // the database stops answering this sensor's appends
            edge = await MqttWire.StartEdgeAsync(api, EdgeOptions(o => o.PublishTimeoutSeconds = 1));
            using (var socket = await MqttWire.OpenAsync(edge.Front!.Port))
            {
                await socket.SendAsync(MqttWire.Connect(id, id, key));
                Assert.Equal(0, await MqttWire.ConnAckAsync(socket));
                var sent = Stopwatch.StartNew();
                await socket.SendAsync(publish);
                var answer = await MqttWire.ReceivedUntilClosedAsync(socket, TimeSpan.FromSeconds(5));

                Assert.NotNull(answer); // closed although the append never finished: the deadline ended the call
                Assert.Empty(answer); // and no PUBACK: the device keeps the reading and resends it
                Assert.InRange(sent.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
                Assert.Equal(1, api.Journal.Waiting); // it reached the journal, whose commit is still to come
            }

            api.Journal.Release(id); // the held commit completes after all, before the device resends
            var released = Stopwatch.StartNew();
            while (api.Journal.Waiting > 0 && released.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(10);
            var stored = await api.Journal.ReadAsync(id, SensorKind.WaterLevel, at.AddMinutes(-1), at.AddMinutes(1), 10, CancellationToken.None);
            Assert.Equal(1.5, Assert.Single(stored).Value);

            using var again = await MqttWire.OpenAsync(edge.Front!.Port);
            await again.SendAsync(MqttWire.Connect(id, id, key));
            Assert.Equal(0, await MqttWire.ConnAckAsync(again));
            await again.SendAsync(publish);
            var puback = new byte[4];
            using var stream = new NetworkStream(again);
            await stream.ReadExactlyAsync(puback).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(new byte[] { 0x40, 0x02, 0x00, 0x01 }, puback); // a reading already held is acknowledged too
        }
        finally
        {
            api.Journal.Release(id);
            if (edge is not null) await MqttWire.StopAsync(edge);
        }
    }

    [Theory]
    [InlineData("localhost", 1883, false)] // a name could resolve to more than meant: addresses only
    [InlineData("127.0.0.1;::1", 1883, false)]
    [InlineData("127.0.0.1", 0, false)] // no endpoint at all
    [InlineData("127.0.0.1", 8883, true)] // TLS on the plain port
    public void Settings_that_cannot_be_bound_exactly_are_refused_at_start(string host, int port, bool tls)
    {
        static bool Valid(MqttOptions o) => System.ComponentModel.DataAnnotations.Validator.TryValidateObject(o,
            new System.ComponentModel.DataAnnotations.ValidationContext(o), [], validateAllProperties: true);
        Assert.False(Valid(new MqttOptions { Host = host, Port = port, Tls = new MqttTlsOptions { Enabled = tls, CertificatePath = "/run/secrets/mqtt.pfx" } }));
        Assert.True(Valid(new MqttOptions { Host = "127.0.0.1, ::1" }));
    }

    private sealed class CountingKeyCheck(IDeviceKeyCheck inner) : IDeviceKeyCheck
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<bool> IsDeviceKeyAsync(string sensorId, string deviceKeyHash, CancellationToken ct)
        {
            Interlocked.Increment(ref _calls);
            return inner.IsDeviceKeyAsync(sensorId, deviceKeyHash, ct);
        }
    }
}
