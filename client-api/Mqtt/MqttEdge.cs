using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using HueGrains.Api.Endpoints;
using HueGrains.Api.Ingest;
using HueGrains.Api.Problems;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Orleans.Streams;

namespace HueGrains.Api.Mqtt;

/// <summary>
/// The MQTT edge (MQTTnet broker in-process). A device connects with its sensor id as user name and its device key as
/// password, publishes JSON or SenML readings to <c>hue/sensors/{id}/readings</c> — its own topic only — and may
/// subscribe to <c>hue/alerts/{commune}</c>. A QoS 1 PUBACK is sent only after the readings are durable: when they are
/// not (the journal is full, the database is down, it takes too long) the connection is closed unacknowledged and the
/// device resends. Connections are taken by <see cref="MqttTcpFront"/> (bounds before login); logins are checked by
/// <see cref="IDeviceKeyCheck"/> (no activation for unknown ids) and throttled per address (<see cref="LoginThrottle"/>);
/// a session is tied to its sensor (client ids live in the sensor's namespace) and closed when its key changes.
/// </summary>
public sealed partial class MqttEdge(
    IOptions<MqttOptions> options, IClusterClient cluster, IDeviceKeyCheck keys, DeviceIngest ingest, HueMetrics metrics,
    TimeProvider clock, ILogger<MqttEdge> log)
    : BackgroundService
{
    private const string SensorItem = "hue.sensor";
    private const string KeyItem = "hue.key";
    private const string SessionItem = "hue.session";
    private MqttServer? _server;
    private readonly MqttRefusals _refusals = new(metrics, clock, log);
    private readonly SharedDeadline _deadlines = new(TimeSpan.FromSeconds(options.Value.PublishTimeoutSeconds), clock);
    private readonly LoginThrottle _throttle = new(options.Value.MaxFailedLogins, TimeSpan.FromSeconds(options.Value.FailedLoginWindowSeconds), clock);

    /// <summary>Open sessions by sensor, so that a key change closes them without listing every client.</summary>
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, object>> _sessions = new();

    /// <summary>Unsubscribes this edge's stream subscriptions when it stops, so no stream delivers to a stopped broker.</summary>
    private readonly ConcurrentBag<Func<Task>> _subscriptions = [];

    /// <summary>The listeners, once started (tests read their connection count).</summary>
    public MqttTcpFront? Front { get; private set; }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled) return;
        var o = options.Value;
        var certificate = o.Tls.Enabled ? MqttCertificate.Load(o.Tls) : null;
        Front = new MqttTcpFront(o, certificate, _refusals, log);
        _server = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder().Build(), [Front]);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.ClientConnectedAsync += e => Track(e.SessionItems, e.ClientId, add: true);
        _server.ClientDisconnectedAsync += e => Track(e.SessionItems, e.ClientId, add: false);
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        await _server.StartAsync();
        await base.StartAsync(cancellationToken);
    }

    /// <summary>Forwards each commune's alert changes to hue/alerts/{commune}, once the cluster can be reached.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_server is null) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var streams = cluster.GetStreamProvider(HueStreams.AlertsProvider);
                foreach (var commune in CityMap.Communes)
                {
                    var alerts = await streams.GetStream<AlertNotice[]>(StreamId.Create(HueStreams.Alerts, commune.Code))
                        .SubscribeAsync((notices, _) => PublishAlertsAsync(commune.Code, notices));
                    _subscriptions.Add(alerts.UnsubscribeAsync);
                }
                var keyChanges = await streams.GetStream<DeviceKeyChanged>(StreamId.Create(HueStreams.DeviceKeyChanges, Keys.City))
                    .SubscribeAsync((change, _) => CloseSessionsAsync(change.SensorId));
                _subscriptions.Add(keyChanges.UnsubscribeAsync);
                LogFollowingAlerts(log, CityMap.Communes.Count);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The co-hosted silo or the remote cluster is still starting (Orleans may even fail with a null
                // reference before its stream runtime is up): try again shortly.
                LogAlertsNotYet(log, ex.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var unsubscribe in _subscriptions.ToList())
        {
            try
            {
                await unsubscribe().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogAlertsNotYet(log, ex.GetType().Name); // the cluster is going too: its subscriptions go with it
            }
        }
        if (_server is not null) await _server.StopAsync();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _server?.Dispose();
        base.Dispose();
    }

    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        var sensor = e.UserName;
        // First, so that MQTTnet answers a refused login with its reason rather than "identifier rejected".
        if (string.IsNullOrEmpty(e.ClientId) && e.CleanSession != false)
            AssignClientId(e, $"{(Keys.IsSensorId(sensor) ? sensor : "device")}/{Guid.NewGuid():N}");
        var address = LoginThrottle.KeyOf(e.RemoteEndPoint);
        if (_throttle.IsBlocked(address))
        {
            // No lookup at all. MQTTnet would send 3.1.1 devices "unacceptable protocol version" for the MQTT 5 code.
            e.ReasonCode = e.ProtocolVersion == MqttProtocolVersion.V500 ? MqttConnectReasonCode.ConnectionRateExceeded : MqttConnectReasonCode.ServerUnavailable;
            _refusals.Add("login-throttled");
            return;
        }
        var key = e.Password;
        var keyHash = string.IsNullOrEmpty(key) || key.Length > 256 ? null : DeviceKeys.Hash(key);
        if (!Keys.IsSensorId(sensor) || keyHash is null || !await keys.IsDeviceKeyAsync(sensor, keyHash, e.CancellationToken))
        {
            _throttle.RecordFailure(address);
            e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            _refusals.Add("bad-credentials");
            return;
        }
        if (!TieClientId(e, sensor))
        {
            e.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            _refusals.Add("client-id");
            return;
        }
        e.SessionItems[SensorItem] = sensor;
        e.SessionItems[KeyItem] = keyHash;
    }

    /// <summary>
    /// A session's client id lives in its sensor's namespace: <c>{sensor}</c> or <c>{sensor}/…</c> as given, anything
    /// else prefixed with <c>{sensor}/</c>, so a device cannot take over (disconnect) another device's session. Sensor ids
    /// contain no '/', so namespaces never overlap. An empty id of a clean session was given <c>{sensor}/{random}</c>.
    /// </summary>
    private static bool TieClientId(ValidatingConnectionEventArgs e, string sensor)
    {
        var given = e.ClientId;
        if (string.IsNullOrEmpty(given)) return true; // a persistent session without an id: MQTTnet refuses it
        return given == sensor || given.StartsWith(sensor + "/", StringComparison.Ordinal) || SetClientId(e, $"{sensor}/{given}");
    }

    // MQTTnet takes the session's id from the CONNECT packet and honours AssignedClientIdentifier only for MQTT 5 with an
    // empty id; MQTT 3.1.1 (§3.1.3-6, -7) lets the server assign one to a clean session too (mosquitto_pub sends none).
    // MQTTnet 5.2 keeps the packet in this field; without it a foreign client id is refused rather than renamed, and the
    // MQTT tests fail if a later version moves it.
    private static readonly System.Reflection.FieldInfo? ConnectPacketField =
        typeof(ValidatingConnectionEventArgs).GetField("_connectPacket", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);

    private static void AssignClientId(ValidatingConnectionEventArgs e, string clientId)
    {
        e.AssignedClientIdentifier = clientId;
        SetClientId(e, clientId);
    }

    private static bool SetClientId(ValidatingConnectionEventArgs e, string clientId)
    {
        if (ConnectPacketField?.GetValue(e) is not MQTTnet.Packets.MqttConnectPacket connect) return false;
        connect.ClientId = clientId;
        return true;
    }

    private Task Track(System.Collections.IDictionary items, string clientId, bool add)
    {
        if (items[SensorItem] is not string sensor) return Task.CompletedTask;
        if (add)
        {
            // A token per connection: when a session replaces another with its client id, the old one's late
            // disconnect must not remove the new one.
            var session = new object();
            items[SessionItem] = session;
            _sessions.GetOrAdd(sensor, _ => new ConcurrentDictionary<string, object>())[clientId] = session;
        }
        else if (_sessions.TryGetValue(sensor, out var clients) && items[SessionItem] is { } session
            && clients.TryRemove(new KeyValuePair<string, object>(clientId, session)) && clients.IsEmpty)
        {
            _sessions.TryRemove(new KeyValuePair<string, ConcurrentDictionary<string, object>>(sensor, clients));
        }
        return Task.CompletedTask;
    }

    /// <summary>The sensor's key was rotated or revoked: its sessions, opened with the old key, end now.</summary>
    private async Task CloseSessionsAsync(string sensor)
    {
        if (_server is null || !_sessions.TryGetValue(sensor, out var clients)) return;
        foreach (var clientId in clients.Keys)
        {
            LogKeyChangedDisconnect(log, sensor);
            await _server.DisconnectClientAsync(clientId, new MqttServerClientDisconnectOptions
            {
                ReasonCode = MqttDisconnectReasonCode.NotAuthorized,
                ReasonString = "device key changed",
            });
        }
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var topic = e.TopicFilter.Topic;
        var allowed = topic.StartsWith("hue/alerts/", StringComparison.Ordinal) && (topic == "hue/alerts/#" || topic == "hue/alerts/+" || Keys.IsCommune(topic["hue/alerts/".Length..]));
        if (!allowed)
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        }
        return Task.CompletedTask;
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        if (string.IsNullOrEmpty(e.ClientId)) return; // injected by this edge (alerts): deliver to subscribers
        if (e.SessionItems[SensorItem] is not string sensor || e.SessionItems[KeyItem] is not string keyHash)
        {
            e.ProcessPublish = false;
            e.CloseConnection = true;
            return;
        }
        e.ProcessPublish = false; // readings are ingested, not relayed to subscribers
        var message = e.ApplicationMessage;
        if (!IsReadingsTopicOf(message.Topic, sensor))
        {
            LogForeignTopic(log, sensor);
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            e.CloseConnection = true; // MQTT 3.1.1 has no negative PUBACK: refuse by closing
            return;
        }
        var oversized = message.Payload.Length > options.Value.MaxPayloadBytes;
        if (oversized || !ingest.TryTakeQuota("mqtt", keyHash))
        {
            if (oversized) metrics.Rejected("mqtt", "rate-limit");
            e.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
            e.CloseConnection = true;
            return;
        }

        // Not linked to the session's token: a device that goes away meanwhile gets no PUBACK either way, and an ingest
        // under way when the edge stops ends by itself (a grain call or its deadline). Orleans ends a call whose token is
        // cancelled at once, without waiting for the grain (MessagingOptions.WaitForCancellationAcknowledgement is off).
        var deadline = _deadlines.Next();
        try
        {
            var (readings, unit) = ReadingsReader.TryRead(message.Payload, out var plain, out _) ? (plain, null) : Parse(message.Payload.ToArray(), sensor);
            var result = await ingest.IngestAsync("mqtt", sensor, readings, keyHash, unit, deadline);
            if (result.Accepted + result.Duplicates == 0) e.Response.ReasonCode = MqttPubAckReasonCode.PayloadFormatInvalid;
        }
        catch (HueValidationException ex)
        {
            metrics.Rejected("mqtt", "invalid");
            // Acknowledged (v5 with a reason): resending an invalid message would never succeed.
            e.Response.ReasonCode = MqttPubAckReasonCode.PayloadFormatInvalid;
            LogInvalidPayload(log, sensor, ex.Message);
        }
        catch (Exception ex) when (ex is HueUnavailableException || TransientFailures.IsTransient(ex))
        {
            metrics.Rejected("mqtt", "not-durable");
            LogNotDurable(log, sensor);
            e.CloseConnection = true; // no PUBACK: the device resends once reconnected
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            metrics.Rejected("mqtt", "not-durable");
            LogNotDurable(log, sensor);
            e.CloseConnection = true;
        }
        catch (Exception ex) when (ex is HueForbiddenException or HueNotFoundException)
        {
            LogKeyChangedDisconnect(log, sensor); // rotated or revoked while the session was open
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            e.CloseConnection = true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Anything else must still end the exchange: a clean close (MQTT 5: a DISCONNECT with a reason) rather than
            // an exception inside MQTTnet's receive loop, so the device knows to resend.
            metrics.Rejected("mqtt", "failed");
            LogPublishFailed(log, sensor, ex.GetType().Name);
            e.CloseConnection = true;
        }
    }

    /// <summary><c>hue/sensors/{sensor}/readings</c>, compared without building the string.</summary>
    private static bool IsReadingsTopicOf(string topic, string sensor)
    {
        const string Prefix = "hue/sensors/", Suffix = "/readings";
        return topic.Length == Prefix.Length + sensor.Length + Suffix.Length
            && topic.StartsWith(Prefix, StringComparison.Ordinal) && topic.EndsWith(Suffix, StringComparison.Ordinal)
            && topic.AsSpan(Prefix.Length, sensor.Length).SequenceEqual(sensor);
    }

    /// <summary>
    /// A JSON object (one reading or {"readings": […]}) or a SenML array (application/senml+json): what the plain
    /// reader (<see cref="ReadingsReader"/>) left, with each problem named.
    /// </summary>
    private (List<Reading> Readings, string? Unit) Parse(byte[] payload, string sensor)
    {
        var text = Encoding.UTF8.GetString(payload).TrimStart();
        try
        {
            if (text.StartsWith('['))
            {
                var pack = JsonSerializer.Deserialize<List<SenmlRecord>>(text, HueJson.Options) ?? [];
                var resolved = Senml.Resolve(pack, clock.GetUtcNow(), sensor);
                if (resolved.Any(r => r.Sensor != sensor))
                    throw new HueValidationException("bn", "A device publishes only its own readings.");
                var units = resolved.Select(r => r.Unit).Distinct().ToList();
                if (units.Count > 1) throw new HueValidationException("u", "One unit per message.");
                return ([.. resolved.Select(r => r.Reading)], units[0]);
            }
            var request = JsonSerializer.Deserialize<ReadingsRequest>(text, HueJson.Options)
                ?? throw new HueValidationException("body", "An empty message.");
            return (SensorsApi.ToReadings(request).Readings, null);
        }
        catch (JsonException ex)
        {
            throw new HueValidationException("body", ex.Message.Split('\n')[0]);
        }
    }

    private async Task PublishAlertsAsync(string commune, AlertNotice[] notices)
    {
        LogAlertNotices(log, notices.Length, commune);
        foreach (var notice in notices)
        {
            var message = new MqttApplicationMessageBuilder()
                .WithTopic($"hue/alerts/{commune}")
                .WithPayload(JsonSerializer.SerializeToUtf8Bytes(notice, HueJson.Options))
                .WithContentType("application/json")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            await _server!.InjectApplicationMessage(new InjectedMqttApplicationMessage(message));
        }
    }

    [LoggerMessage(LogLevel.Debug, "MQTT edge cannot follow alert streams yet ({Reason}); retrying")]
    private static partial void LogAlertsNotYet(ILogger log, string reason);

    [LoggerMessage(LogLevel.Debug, "MQTT edge follows the alert streams of {Communes} communes")]
    private static partial void LogFollowingAlerts(ILogger log, int communes);

    [LoggerMessage(LogLevel.Debug, "Publishing {Count} alert notices of commune {Commune} over MQTT")]
    private static partial void LogAlertNotices(ILogger log, int count, string commune);

    [LoggerMessage(LogLevel.Information, "MQTT session of {SensorId} closed: its device key changed")]
    private static partial void LogKeyChangedDisconnect(ILogger log, string sensorId);

    [LoggerMessage(LogLevel.Error, "MQTT message of {SensorId} failed ({Error}); connection closed without PUBACK")]
    private static partial void LogPublishFailed(ILogger log, string sensorId, string error);

    [LoggerMessage(LogLevel.Warning, "MQTT device {SensorId} published to a topic not its own; disconnected")]
    private static partial void LogForeignTopic(ILogger log, string sensorId);

    [LoggerMessage(LogLevel.Warning, "MQTT message of {SensorId} dropped as invalid: {Reason}")]
    private static partial void LogInvalidPayload(ILogger log, string sensorId, string reason);

    [LoggerMessage(LogLevel.Warning, "MQTT readings of {SensorId} not durable; connection closed without PUBACK")]
    private static partial void LogNotDurable(ILogger log, string sensorId);
}
