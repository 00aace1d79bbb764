using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HueGrains.Silo;

/// <summary>A silo is ready once it has joined the cluster as active, not while it is still joining or leaving.</summary>
public sealed class SiloActiveHealthCheck(ISiloStatusOracle membership) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(membership.CurrentStatus == SiloStatus.Active
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"This silo is {membership.CurrentStatus}."));
}
