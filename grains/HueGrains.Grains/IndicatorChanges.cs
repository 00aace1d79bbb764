using System.Text.Json;
using HueGrains.Persistence;
using Microsoft.Extensions.Logging;

namespace HueGrains.Grains;

/// <summary>
/// Appends a commune's or the city's indicators to the change feed when they changed, at most once per interval (each
/// change is a whole snapshot, so a later one carries an earlier one). The grain offers its current indicators every
/// second; one that came too soon after the last append goes with a later offer.
/// </summary>
public sealed partial class IndicatorChanges(IChangeFeed feed, string type, string entityId, string? commune, TimeSpan interval, TimeProvider clock, ILogger log)
{
    /// <summary>As rows are written to the feed: property names as declared, enums as numbers.</summary>
    private static readonly JsonSerializerOptions DataJson = new();

    private Indicators? _appended;
    private DateTimeOffset _appendedAt = DateTimeOffset.MinValue;

    public async Task OfferAsync(Indicators indicators, long version, Func<object> data, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (indicators == _appended || now - _appendedAt < interval) return;
        try
        {
            await feed.AppendAsync(type, entityId, commune, version, JsonSerializer.Serialize(data(), DataJson), ct);
            (_appended, _appendedAt) = (indicators, now);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAppendFailed(log, type, entityId, ex); // the next offer tries again
        }
    }

    [LoggerMessage(LogLevel.Warning, "The {Type} {Id} could not append its indicators to the change feed; retrying")]
    private static partial void LogAppendFailed(ILogger log, string type, string id, Exception ex);
}
