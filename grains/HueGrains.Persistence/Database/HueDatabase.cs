using DbUp;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HueGrains.Persistence;

/// <summary>The project's own schema (deploy/sql), applied by DbUp: each script once, in name order, journaled.</summary>
public static partial class HueDatabase
{
    public const string Invariant = "Npgsql";
    private const string ScriptPrefix = "HueGrains.Sql.";

    // Silos starting together must not migrate at the same time: they queue on a session-level advisory lock.
    private const long MigrationLock = 0x4875_6547_7261_696E; // "HueGrain"

    /// <summary>Applies the scripts not yet applied; returns their names (none when the schema is current).</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(string connectionString, ILogger log, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLock})", connection))
            await lockCommand.ExecuteNonQueryAsync(ct);
        try
        {
            var upgrade = DeployChanges.To.PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(HueDatabase).Assembly, name => name.StartsWith(ScriptPrefix, StringComparison.Ordinal))
                .JournalToPostgresqlTable("public", "hue_schema_versions")
                .WithTransactionPerScript()
                .WithVariablesDisabled() // the scripts use $q$ dollar quoting, not DbUp variables
                .LogToNowhere()
                .Build()
                .PerformUpgrade();
            if (!upgrade.Successful) throw new InvalidOperationException($"Migration {upgrade.ErrorScript?.Name} failed.", upgrade.Error);
            var applied = upgrade.Scripts.Select(s => s.Name[ScriptPrefix.Length..]).ToList();
            LogMigrated(log, applied.Count, string.Join(", ", applied));
            return applied;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLock})", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Waits for PostgreSQL (logging each failed attempt clearly), then migrates.</summary>
    public static async Task WaitAndMigrateAsync(string connectionString, ILogger log, CancellationToken ct)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString) { Password = null };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MigrateAsync(connectionString, log, ct);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
            {
                var delay = TimeSpan.FromSeconds(Math.Min(10, attempt * 2));
                LogUnreachable(log, target.Host, target.Port, target.Database, attempt, delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, ct);
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Database schema current; {Count} migration(s) applied now: {Scripts}")]
    private static partial void LogMigrated(ILogger log, int count, string scripts);

    [LoggerMessage(LogLevel.Error, "PostgreSQL at {Host}:{Port}/{Database} is unreachable (attempt {Attempt}); retrying in {Delay} s: {Reason}")]
    private static partial void LogUnreachable(ILogger log, string? host, int port, string? database, int attempt, double delay, string reason);
}
