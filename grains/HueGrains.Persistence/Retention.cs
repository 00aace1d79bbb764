using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HueGrains.Persistence;

/// <summary>
/// Once an hour, deletes what is older than its retention: changes (<see cref="ChangeOptions"/>) and inbox entries
/// (<see cref="NotificationOptions.RetentionDays"/>).
/// </summary>
public sealed partial class Retention(
    IChangeFeed feed, INotificationStore notifications, IOptions<ChangeOptions> options, IOptions<NotificationOptions> inboxes,
    [FromKeyedServices(HueTime.Key)] TimeProvider clock, ILogger<Retention> log)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRetentionFailed(log, ex); // the next hour tries again
            }
        }
    }

    public async Task RunOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await feed.ForgetAsync(now.AddDays(-options.Value.RetentionDays), now.AddDays(-options.Value.IndicatorRetentionDays), ct);
        await notifications.ForgetBeforeAsync(now.AddDays(-inboxes.Value.RetentionDays), ct);
    }

    [LoggerMessage(LogLevel.Warning, "Old changes or inbox entries could not be deleted; retrying in an hour")]
    private static partial void LogRetentionFailed(ILogger log, Exception ex);
}
