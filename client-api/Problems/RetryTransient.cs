using System.Diagnostics;

namespace HueGrains.Api.Problems;

/// <summary>
/// Retries an idempotent endpoint when the cluster fails transiently — a silo leaving (scale-in, rolling update) or
/// dying while its grains move — so clients see a slower answer instead of a 503. Only for reads and for readings,
/// which are idempotent by (sensor, time): a retried reading that was already stored counts as a duplicate.
/// </summary>
public sealed class RetryTransient : IEndpointFilter
{
    private static readonly TimeSpan[] Backoff =
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(3)];

    /// <summary>Time to keep trying: a grain call to a silo that stopped answering times out after 5 s (HueHost), so two such.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(12);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        await RunAsync(() => next(context).AsTask(), context.HttpContext.RequestAborted);

    /// <summary>The same retries around any call (the device lane calls it without an endpoint filter).</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken aborted)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (attempt < Backoff.Length && TransientFailures.IsTransient(ex) && Stopwatch.GetElapsedTime(started) < Budget
                                       && !aborted.IsCancellationRequested)
            {
                await Task.Delay(Backoff[attempt], aborted);
            }
        }
    }
}
