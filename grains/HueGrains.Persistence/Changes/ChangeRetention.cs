using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HueGrains.Persistence;

/// <summary>Deletes changes older than their retention (<see cref="ChangeOptions"/>), once an hour.</summary>
public sealed partial class ChangeRetention(
    IChangeFeed feed, IOptions<ChangeOptions> options, [FromKeyedServices(HueTime.Key)] TimeProvider clock, ILogger<ChangeRetention> log)
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

    public Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return feed.ForgetAsync(now.AddDays(-options.Value.RetentionDays), now.AddDays(-options.Value.IndicatorRetentionDays), ct);
    }

    [LoggerMessage(LogLevel.Warning, "Old changes could not be deleted; retrying in an hour")]
    private static partial void LogRetentionFailed(ILogger log, Exception ex);
}
