using Microsoft.Extensions.Logging;

namespace HueGrains.Api.Mqtt;

/// <summary>
/// Refused MQTT connections, counted by reason (a metric) and logged as a count at most once per interval per reason:
/// an attacker must not get a log line per attempt. No address is logged (an address is personal data).
/// </summary>
public sealed partial class MqttRefusals(HueMetrics metrics, TimeProvider clock, ILogger log)
{
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMinutes(1);

    private readonly System.Diagnostics.Metrics.Counter<long> _refused = metrics.Meter.CreateCounter<long>(
        "hue.mqtt.refused", "{connection}", "MQTT connections refused before or at login, tagged with reason.");

    private readonly Dictionary<string, (DateTimeOffset Reported, long Count)> _pending = [];
    private readonly Lock _lock = new();

    public void Add(string reason)
    {
        _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));
        long count;
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            var (reported, pending) = _pending.GetValueOrDefault(reason, (DateTimeOffset.MinValue, 0));
            if (now - reported < ReportInterval)
            {
                _pending[reason] = (reported, pending + 1);
                return;
            }
            _pending[reason] = (now, 0);
            count = pending + 1;
        }
        LogRefused(log, count, reason, ReportInterval.TotalSeconds);
    }

    [LoggerMessage(LogLevel.Warning, "MQTT refused {Count} connections ({Reason}) since the last report (at most one per {IntervalSeconds} s)")]
    private static partial void LogRefused(ILogger log, long count, string reason, double intervalSeconds);
}
