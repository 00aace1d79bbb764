using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace HueGrains.Persistence;

/// <summary>
/// The silo's reading writer with group commit: every append waits in a queue; a writer takes all that is waiting (up
/// to <see cref="HistoryOptions.MaxRowsPerCommit"/>), binary-COPYs it into its staging table and inserts it into the
/// partitioned history in one transaction, then completes all those appends at once. A few writers (each with its own
/// connection) commit side by side, so that small appends do not queue behind one commit at a time. The queue is
/// bounded by reading count: when full, appends fail fast with <see cref="HueUnavailableException"/> (503, Retry-After).
/// </summary>
public sealed partial class PostgresReadingJournal(NpgsqlDataSource db, IOptions<HistoryOptions> options, ILogger<PostgresReadingJournal> log)
    : IReadingJournal, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _writers = Task.CompletedTask;

    /// <summary>
    /// The journal starts early and stops late in the silo's lifecycle: a silo that is shutting down (scale-in, rolling
    /// update) still commits the readings its grains accept until the grains have moved, instead of refusing them.
    /// </summary>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresReadingJournal), ServiceLifecycleStage.RuntimeInitialize, StartAsync, StopAsync);

    public Task StartAsync(CancellationToken ct)
    {
        _writers = Task.WhenAll(Enumerable.Range(0, options.Value.Writers).Select(_ => Task.Run(() => WriteLoopAsync(_stopping.Token), CancellationToken.None)));
        return Task.CompletedTask;
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>Takes no more readings and commits every one already accepted.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        await _writers;
    }

    private sealed record Pending(string SensorId, SensorKind Kind, IReadOnlyList<Reading> Readings, TaskCompletionSource Done);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(SensorKind Kind, DateOnly Month), bool> _partitions = new();
    private int _queued;

    public Task AppendAsync(string sensorId, SensorKind kind, IReadOnlyList<Reading> readings, CancellationToken ct)
    {
        if (Interlocked.Add(ref _queued, readings.Count) > options.Value.QueueCapacity)
        {
            Interlocked.Add(ref _queued, -readings.Count);
            throw new HueUnavailableException("The reading journal is full; retry shortly.", 1);
        }
        var pending = new Pending(sensorId, kind, readings, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Add(ref _queued, -readings.Count);
            throw new HueUnavailableException("The reading journal is shutting down; retry on another node.", 1);
        }
        return pending.Done.Task;
    }

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var writer = new Writer();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken)) await CommitWaitingAsync(writer);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Graceful stop: take no more, commit what was acknowledged-to-be.
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryPeek(out _)) await CommitWaitingAsync(writer);
        if (writer.Connection is not null) await writer.Connection.DisposeAsync();
    }

    /// <summary>A writer's own connection, kept open so its staging table (emptied at each commit) lives as long.</summary>
    private sealed class Writer
    {
        public NpgsqlConnection? Connection { get; set; }
    }

    private async Task CommitWaitingAsync(Writer writer)
    {
        var batch = new List<Pending>();
        var rows = 0;
        while (rows < options.Value.MaxRowsPerCommit && _queue.Reader.TryRead(out var next))
        {
            batch.Add(next);
            rows += next.Readings.Count;
        }
        if (batch.Count == 0) return;
        try
        {
            await WriteAsync(writer, batch);
            foreach (var p in batch) p.Done.TrySetResult();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
        {
            LogCommitFailed(log, rows, ex);
            if (writer.Connection is not null) await writer.Connection.DisposeAsync();
            writer.Connection = null;
            var unavailable = new HueUnavailableException("The reading history database is unavailable; retry shortly.", 2);
            foreach (var p in batch) p.Done.TrySetException(unavailable);
        }
        finally
        {
            Interlocked.Add(ref _queued, -rows);
        }
    }

    private async Task WriteAsync(Writer writer, List<Pending> batch)
    {
        var connection = writer.Connection ??= await OpenWriterAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var months = batch.SelectMany(p => p.Readings.Select(r => (p.Kind, Month: MonthOf(r.At)))).Distinct().Where(m => !_partitions.ContainsKey(m)).ToList();
        foreach (var (kind, month) in months)
        {
            await using var ensure = new NpgsqlCommand("SELECT hue_ensure_reading_partition($1, $2)", connection, tx);
            ensure.Parameters.Add(new NpgsqlParameter { Value = (short)kind, NpgsqlDbType = NpgsqlDbType.Smallint });
            ensure.Parameters.Add(new NpgsqlParameter { Value = month, NpgsqlDbType = NpgsqlDbType.Date });
            await ensure.ExecuteNonQueryAsync();
        }

        await using (var copy = await connection.BeginBinaryImportAsync("COPY hue_readings_stage (kind, sensor_id, at, value) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var pending in batch)
            {
                foreach (var reading in pending.Readings)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync((short)pending.Kind, NpgsqlDbType.Smallint);
                    await copy.WriteAsync(pending.SensorId, NpgsqlDbType.Text);
                    await copy.WriteAsync(reading.At.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync(reading.Value, NpgsqlDbType.Double);
                }
            }
            await copy.CompleteAsync();
        }
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO hue_readings (kind, sensor_id, at, value) SELECT kind, sensor_id, at, value FROM hue_readings_stage ON CONFLICT DO NOTHING",
            connection, tx))
        {
            await insert.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        foreach (var month in months) _partitions[month] = true;
    }

    private async Task<NpgsqlConnection> OpenWriterAsync()
    {
        var connection = await db.OpenConnectionAsync();
        await using var create = new NpgsqlCommand(
            "CREATE TEMP TABLE IF NOT EXISTS hue_readings_stage (kind smallint, sensor_id text, at timestamptz, value double precision) ON COMMIT DELETE ROWS",
            connection);
        await create.ExecuteNonQueryAsync();
        return connection;
    }

    public async Task<IReadOnlyList<Reading>> ReadAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct)
    {
        var readings = new List<Reading>();
        await QueryAsync(
            "SELECT at, value FROM hue_readings WHERE kind = $1 AND sensor_id = $2 AND at >= $3 AND at < $4 ORDER BY at LIMIT $5",
            [(short)kind, sensorId, from.ToUniversalTime(), to.ToUniversalTime(), limit],
            r => readings.Add(new Reading(r.GetFieldValue<DateTimeOffset>(0), r.GetDouble(1))), ct);
        return readings;
    }

    public async Task<IReadOnlyList<ReadingBucket>> AggregateAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, TimeBucket bucket, CancellationToken ct)
    {
        var buckets = new List<ReadingBucket>();
        await QueryAsync(
            """
            SELECT date_bin($5, at, $6) AS start, count(*), min(value), max(value), avg(value)
              FROM hue_readings WHERE kind = $1 AND sensor_id = $2 AND at >= $3 AND at < $4
             GROUP BY start ORDER BY start
            """,
            [(short)kind, sensorId, from.ToUniversalTime(), to.ToUniversalTime(), bucket.Width(), TimeBuckets.Origin.ToUniversalTime()],
            r => buckets.Add(new ReadingBucket(r.GetFieldValue<DateTimeOffset>(0), r.GetInt64(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4))), ct);
        return buckets;
    }

    private async Task QueryAsync(string sql, object[] parameters, Action<NpgsqlDataReader> row, CancellationToken ct)
    {
        try
        {
            await using var command = db.CreateCommand(sql);
            foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) row(reader);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            LogReadFailed(log, ex);
            throw new HueUnavailableException("The reading history database is unavailable; retry shortly.", 2);
        }
    }

    private static DateOnly MonthOf(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateOnly(utc.Year, utc.Month, 1);
    }

    [LoggerMessage(LogLevel.Warning, "Committing {Rows} readings failed; their senders get 503 and retry")]
    private static partial void LogCommitFailed(ILogger log, int rows, Exception ex);

    [LoggerMessage(LogLevel.Warning, "Reading history query failed")]
    private static partial void LogReadFailed(ILogger log, Exception ex);
}
