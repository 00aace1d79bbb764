using System.Diagnostics;
using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using HueGrains.Api.Endpoints;
using HueGrains.Api.Ingest;
using HueGrains.Api.Problems;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Orleans.Streams;

namespace HueGrains.Api.Mqtt;

/// <summary>
/// The MQTT edge (MQTTnet broker in-process). A device connects with its sensor id as user name and its device key as
/// password, publishes JSON or SenML readings to <c>hue/sensors/{id}/readings</c> — its own topic only — and may
/// subscribe to <c>hue/alerts/{commune}</c>. A QoS 1 PUBACK is sent only after the readings are durable: when they are
/// not (the journal is full, the database is down) the connection is closed unacknowledged and the device resends.
/// </summary>
public sealed partial class MqttEdge(
    IOptions<MqttOptions> options, IClusterClient cluster, DeviceRateLimiter limiter, HueMetrics metrics, TimeProvider clock, ILogger<MqttEdge> log)
    : BackgroundService
{
    private const string SensorItem = "hue.sensor";
    private const string KeyItem = "hue.key";
    private MqttServer? _server;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled) return;
        var serverOptions = new MqttServerFactory().CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Parse(options.Value.Host))
            .WithDefaultEndpointPort(options.Value.Port)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(serverOptions);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        await _server.StartAsync();
        LogListening(log, options.Value.Host, options.Value.Port);
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
                    await streams.GetStream<AlertNotice[]>(StreamId.Create(HueStreams.Alerts, commune.Code))
                        .SubscribeAsync((notices, _) => PublishAlertsAsync(commune.Code, notices));
                }
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
        var key = e.Password;
        if (string.IsNullOrEmpty(e.ClientId) && e.CleanSession != false)
            AssignClientId(e, $"{(Keys.IsSensorId(sensor) ? sensor : "device")}-{Guid.NewGuid():N}");
        var keyHash = string.IsNullOrEmpty(key) ? null : DeviceKeys.Hash(key);
        if (!Keys.IsSensorId(sensor) || keyHash is null || !await cluster.Sensor(sensor).IsDeviceKey(keyHash, e.CancellationToken))
        {
            e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            LogRefused(log, Keys.IsSensorId(sensor) ? sensor : "(invalid id)");
            return;
        }
        e.SessionItems[SensorItem] = sensor;
        e.SessionItems[KeyItem] = keyHash;
    }

    // MQTTnet honours AssignedClientIdentifier only for MQTT 5 and otherwise refuses an empty client id; MQTT 3.1.1
    // (§3.1.3-6, -7) lets the server assign one to a clean session, and mosquitto_pub sends none by default.
    // MQTTnet 5.2 keeps the CONNECT packet in this field; the MQTT tests fail if a later version moves it.
    private static readonly System.Reflection.FieldInfo? ConnectPacketField =
        typeof(ValidatingConnectionEventArgs).GetField("_connectPacket", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);

    private static void AssignClientId(ValidatingConnectionEventArgs e, string clientId)
    {
        e.AssignedClientIdentifier = clientId;
        if (ConnectPacketField?.GetValue(e) is MQTTnet.Packets.MqttConnectPacket connect) connect.ClientId = clientId;
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
        if (message.Topic != $"hue/sensors/{sensor}/readings")
        {
            LogForeignTopic(log, sensor);
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            e.CloseConnection = true; // MQTT 3.1.1 has no negative PUBACK: refuse by closing
            return;
        }
        if (message.Payload.Length > options.Value.MaxPayloadBytes || !limiter.TryAcquire(keyHash))
        {
            metrics.Rejected("mqtt", "rate-limit");
            e.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
            e.CloseConnection = true;
            return;
        }

        try
        {
            var (readings, unit) = Parse(message.Payload.ToArray(), sensor);
            var started = Stopwatch.GetTimestamp();
            var result = await cluster.Sensor(sensor).Ingest(readings, keyHash, unit, e.CancellationToken);
            metrics.Record("mqtt", result, Stopwatch.GetElapsedTime(started).TotalSeconds);
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
    }

    /// <summary>A JSON object (one reading or {"readings": […]}) or a SenML array (application/senml+json).</summary>
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

    [LoggerMessage(LogLevel.Information, "MQTT edge listening on {Host}:{Port}")]
    private static partial void LogListening(ILogger log, string host, int port);

    [LoggerMessage(LogLevel.Warning, "MQTT connection refused for sensor {SensorId}: wrong credentials")]
    private static partial void LogRefused(ILogger log, string sensorId);

    [LoggerMessage(LogLevel.Warning, "MQTT device {SensorId} published to a topic not its own; disconnected")]
    private static partial void LogForeignTopic(ILogger log, string sensorId);

    [LoggerMessage(LogLevel.Warning, "MQTT message of {SensorId} dropped as invalid: {Reason}")]
    private static partial void LogInvalidPayload(ILogger log, string sensorId, string reason);

    [LoggerMessage(LogLevel.Warning, "MQTT readings of {SensorId} not durable; connection closed without PUBACK")]
    private static partial void LogNotDurable(ILogger log, string sensorId);
}
