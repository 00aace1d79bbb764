using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HueGrains.Grains;

/// <summary>
/// On every silo: asks the registry every few seconds to wake the active subscriptions, so one whose silo was lost
/// resumes delivering on another within seconds (its reminder alone would take up to a minute).
/// </summary>
public sealed partial class SubscriptionWaker(IGrainFactory grains, IOptions<SubscriptionOptions> options, ILogger<SubscriptionWaker> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.WakeSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await grains.GetGrain<ISubscriptionRegistry>(0).WakeAll(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogWakeFailed(log, ex); // e.g. the registry's silo was just lost: the next tick reaches its new activation
            }
        }
    }

    [LoggerMessage(LogLevel.Debug, "Waking the subscriptions failed; trying again at the next tick")]
    private static partial void LogWakeFailed(ILogger log, Exception ex);
}
