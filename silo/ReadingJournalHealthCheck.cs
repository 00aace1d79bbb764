using HueGrains.Persistence;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HueGrains.Silo;

/// <summary>
/// Ready only while the reading journal has a writer running: with none (not started yet, stopped, or every writer
/// restarting after a failure) ingest on this silo can only answer 503. Some writers down is degraded, still ready.
/// </summary>
public sealed class ReadingJournalHealthCheck(PostgresReadingJournal journal) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var (running, writers) = (journal.WritersRunning, journal.Writers);
        return Task.FromResult(running == 0 ? HealthCheckResult.Unhealthy("No reading journal writer is running.")
            : running < writers ? HealthCheckResult.Degraded($"{running} of {writers} reading journal writers are running.")
            : HealthCheckResult.Healthy());
    }
}
