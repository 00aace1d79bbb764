using HueGrains.Persistence;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace HueGrains.Silo;

/// <summary>Ready only when PostgreSQL answers and the schema has been brought up to date at start-up.</summary>
public sealed class DatabaseHealthCheck(NpgsqlDataSource db, DatabaseGate gate) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (!gate.Open) return HealthCheckResult.Unhealthy("Waiting for PostgreSQL and migrations.");
        try
        {
            await using var command = db.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(ct).WaitAsync(TimeSpan.FromSeconds(2), ct);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL does not answer: {ex.Message}");
        }
    }
}
