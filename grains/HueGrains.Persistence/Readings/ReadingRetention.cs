using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HueGrains.Persistence;

/// <summary>
/// Keeps the reading history's monthly partitions: creates this month's and next month's ahead of time, and drops
/// whole partitions that lie entirely beyond a kind's retention. No reading is ever deleted one by one. Expires the
/// indicator snapshots too (a small table: one row per scope and minute).
/// </summary>
public sealed partial class ReadingRetention(
    NpgsqlDataSource db, DatabaseGate gate, IOptions<HistoryOptions> options, [FromKeyedServices(HueTime.Key)] TimeProvider clock,
    PostgresIndicatorStore indicators, ILogger<ReadingRetention> log)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!gate.Open) await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken); // the schema first
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (NpgsqlException ex)
            {
                LogMaintenanceFailed(log, ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Ensures upcoming partitions and drops expired ones; returns the names of the dropped partitions.</summary>
    public async Task<IReadOnlyList<string>> RunOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var thisMonth = new DateOnly(now.Year, now.Month, 1);
        var dropped = new List<string>();
        foreach (var kind in Enum.GetValues<SensorKind>())
        {
            foreach (var month in new[] { thisMonth, thisMonth.AddMonths(1) })
            {
                await using var ensure = db.CreateCommand("SELECT hue_ensure_reading_partition($1, $2)");
                ensure.Parameters.Add(new NpgsqlParameter { Value = (short)kind });
                ensure.Parameters.Add(new NpgsqlParameter { Value = month });
                await ensure.ExecuteNonQueryAsync(ct);
            }

            var keepFrom = now - options.Value.Retention(kind);
            foreach (var partition in await MonthlyPartitionsAsync(kind, ct))
            {
                var month = DateOnly.ParseExact(partition[^6..], "yyyyMM", CultureInfo.InvariantCulture);
                if (month.AddMonths(1).ToDateTime(TimeOnly.MinValue) > keepFrom) continue;
                await using var drop = db.CreateCommand($"DROP TABLE IF EXISTS \"{partition}\"");
                await drop.ExecuteNonQueryAsync(ct);
                dropped.Add(partition);
                LogDropped(log, partition);
            }
        }
        await indicators.ExpireAsync(clock.GetUtcNow() - TimeSpan.FromDays(options.Value.IndicatorRetentionDays), ct);
        return dropped;
    }

    private async Task<List<string>> MonthlyPartitionsAsync(SensorKind kind, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            """
            SELECT c.relname FROM pg_inherits i
              JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
             WHERE p.relname = $1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = $"hue_readings_k{(int)kind}" });
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) names.Add(reader.GetString(0));
        return names;
    }

    [LoggerMessage(LogLevel.Information, "Dropped reading partition {Partition}: beyond its retention")]
    private static partial void LogDropped(ILogger log, string partition);

    [LoggerMessage(LogLevel.Warning, "Reading partition maintenance failed; retrying within the hour")]
    private static partial void LogMaintenanceFailed(ILogger log, Exception ex);
}
