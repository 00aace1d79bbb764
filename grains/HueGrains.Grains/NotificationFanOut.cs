using HueGrains.Grains.Domain;
using HueGrains.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HueGrains.Grains;

/// <summary>
/// Turns the durable change feed into inbox rows, off the alert path: every silo runs one; each batch of changes after
/// the shared checkpoint is written by whichever silo claims it first (the others find the checkpoint moved). The store
/// writes a change's whole audience in one statement, so an alert for a commune of thousands costs one INSERT.
/// </summary>
public sealed partial class NotificationFanOut(
    IChangeFeed feed, INotificationStore store, IOptions<NotificationOptions> options, ILogger<NotificationFanOut> log) : BackgroundService
{
    private static readonly IReadOnlyList<string> Types = [ChangeTypes.Alert, ChangeTypes.Feedback];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromMilliseconds(options.Value.PollMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await RunOnceAsync(stoppingToken)) await Task.Delay(idle, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFailed(log, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Handles one batch; false when there was nothing new (or another silo took it).</summary>
    public async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        var from = await store.CheckpointAsync(ct);
        var page = await feed.ReadAsync(new ChangeQuery(from, Types, null, options.Value.BatchChanges, null), ct);
        if (page.Items.Count == 0) return false;
        var drafts = page.Items.Select(NotificationTexts.Draft).OfType<NotificationDraft>().ToList();
        var through = page.Items[^1].Position;
        if (!await store.FanOutAsync(from, through, drafts, ct)) return false;
        if (drafts.Count > 0) LogFannedOut(log, drafts.Count, from, through);
        return true;
    }

    [LoggerMessage(LogLevel.Debug, "Notifications for {Drafts} change(s) after position {From} through {Through} written")]
    private static partial void LogFannedOut(ILogger log, int drafts, long from, long through);

    [LoggerMessage(LogLevel.Warning, "Notification fan-out failed; retrying")]
    private static partial void LogFailed(ILogger log, Exception ex);
}
