using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace HueGrains.Persistence;

/// <summary>
/// The silo's reading writer with group commit: every append waits in a queue; a writer takes all that is waiting (up
/// to <see cref="HistoryOptions.MaxRowsPerCommit"/>), writes it into the partitioned history in one statement (a binary
/// COPY, or a prepared INSERT for a small commit)
/// (or, when it holds a reading already stored, through a staging table, see WriteAsync), then completes all those
/// appends at once, each with the readings of its own that were stored (a reading already held is a duplicate). A few writers (each with its own connection) commit
/// side by side, so that small appends do not queue behind one commit at a time. The queue is bounded by reading
/// count: when full, appends fail fast with <see cref="HueUnavailableException"/> (503, Retry-After).
/// </summary>
/// <remarks>
/// Each writer is supervised: a writer that fails with anything but a database error fails the appends it held with
/// 503, is counted (<see cref="HueMetrics.JournalWriterRestarts"/>) and restarts after a short, growing pause. While no
/// writer runs, appends fail fast with 503 (rather than wait) and <see cref="WritersRunning"/> is 0, which makes the
/// silo not ready.
/// </remarks>
public sealed partial class PostgresReadingJournal : IReadingJournal, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    internal static readonly TimeSpan FirstRestartDelay = TimeSpan.FromMilliseconds(200);
    internal static readonly TimeSpan LastRestartDelay = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource _db;
    private readonly IOptions<HistoryOptions> _options;
    private readonly HueMetrics _metrics;
    private readonly ILogger<PostgresReadingJournal> _log;
    private readonly TimeProvider _time;
    private readonly Action? _beforeCommit;
    private readonly CancellationTokenSource _stopping = new();
    private Task _writers = Task.CompletedTask;
    private volatile bool _started;
    private int _running;

    public PostgresReadingJournal(NpgsqlDataSource db, IOptions<HistoryOptions> options, HueMetrics metrics, ILogger<PostgresReadingJournal> log)
        : this(db, options, metrics, log, TimeProvider.System, null)
    {
    }

    /// <summary>For tests: the clock that times restarts, and a hook run by a writer before each commit (to inject a fault).</summary>
    internal PostgresReadingJournal(NpgsqlDataSource db, IOptions<HistoryOptions> options, HueMetrics metrics, ILogger<PostgresReadingJournal> log,
        TimeProvider time, Action? beforeCommit)
    {
        (_db, _options, _metrics, _log, _time, _beforeCommit) = (db, options, metrics, log, time, beforeCommit);
        metrics.Meter.CreateObservableGauge("hue.journal.writers", () => WritersRunning, "{writer}",
            "Reading journal writers running on this silo; 0 means ingest answers 503 and the silo is not ready.");
    }

    /// <summary>Writers the journal is configured to run.</summary>
    public int Writers => _options.Value.Writers;

    /// <summary>Writers running now: 0 before start, after stop, and while every writer is restarting.</summary>
    public int WritersRunning => Volatile.Read(ref _running);

    /// <summary>
    /// The journal starts early and stops late in the silo's lifecycle: a silo that is shutting down (scale-in, rolling
    /// update) still commits the readings its grains accept until the grains have moved, instead of refusing them.
    /// </summary>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresReadingJournal), ServiceLifecycleStage.RuntimeInitialize, StartAsync, StopAsync);

    public Task StartAsync(CancellationToken ct)
    {
        Volatile.Write(ref _running, Writers);
        _started = true;
        _writers = Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(() => SuperviseAsync(_stopping.Token), CancellationToken.None)));
        return Task.CompletedTask;
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>Takes no more readings and commits every one already accepted.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        await _writers;
    }

    private sealed record Pending(string SensorId, SensorKind Kind, IReadOnlyList<Reading> Readings, TaskCompletionSource<IReadOnlyList<Reading>> Done);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(SensorKind Kind, DateOnly Month), bool> _partitions = new();
    private int _queued;

    public Task<IReadOnlyList<Reading>> AppendAsync(string sensorId, SensorKind kind, IReadOnlyList<Reading> readings, CancellationToken ct)
    {
        if (_started && WritersRunning == 0 && !_stopping.IsCancellationRequested)
            throw new HueUnavailableException("The reading journal is restarting its writer; retry shortly.", 1);
        if (Interlocked.Add(ref _queued, readings.Count) > _options.Value.QueueCapacity)
        {
            Interlocked.Add(ref _queued, -readings.Count);
            throw new HueUnavailableException("The reading journal is full; retry shortly.", 1);
        }
        var pending = new Pending(sensorId, kind, readings, new TaskCompletionSource<IReadOnlyList<Reading>>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Add(ref _queued, -readings.Count);
            throw new HueUnavailableException("The reading journal is shutting down; retry on another node.", 1);
        }
        return pending.Done.Task;
    }

    /// <summary>
    /// Runs one writer and restarts it whenever it fails: the appends it held (and, when no other writer runs, every
    /// waiting one) get 503 rather than waiting for a writer that is gone. The pause before a restart doubles from
    /// <see cref="FirstRestartDelay"/> to <see cref="LastRestartDelay"/> while restarted writers fail before committing.
    /// When the silo stops, a failed writer restarts at once, so that the queue still drains.
    /// </summary>
    private async Task SuperviseAsync(CancellationToken stoppingToken)
    {
        var delay = FirstRestartDelay;
        while (true)
        {
            var writer = new Writer();
            try
            {
                await WriteLoopAsync(writer, stoppingToken);
                Interlocked.Decrement(ref _running);
                return;
            }
            catch (Exception ex)
            {
                var remaining = Interlocked.Decrement(ref _running);
                var cause = writer.InFlight is null ? "loop" : "commit";
                _metrics.JournalWriterRestarts.Add(1, new KeyValuePair<string, object?>("cause", cause));
                LogWriterFailed(_log, cause, remaining, ex);
                var unavailable = new HueUnavailableException("The reading journal's writer failed; retry shortly.", 1);
                foreach (var p in writer.InFlight ?? []) p.Done.TrySetException(unavailable);
                if (remaining == 0) FailWaiting(unavailable);
                await DisposeQuietlyAsync(writer);
            }
            if (writer.Committed) delay = FirstRestartDelay;
            await PauseAsync(delay, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastRestartDelay.Ticks));
            Interlocked.Increment(ref _running);
        }
    }

    private async Task PauseAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, _time, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Fails every append still queued (no writer is left to take it).</summary>
    private void FailWaiting(HueUnavailableException unavailable)
    {
        while (_queue.Reader.TryRead(out var pending))
        {
            Interlocked.Add(ref _queued, -pending.Readings.Count);
            pending.Done.TrySetException(unavailable);
        }
    }

    private static async Task DisposeQuietlyAsync(Writer writer)
    {
        try
        {
            if (writer.Connection is not null) await writer.Connection.DisposeAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException)
        {
            // The connection is broken anyway; the pool discards it.
        }
    }

    private async Task WriteLoopAsync(Writer writer, CancellationToken stoppingToken)
    {
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

        /// <summary>The prepared INSERT of a small commit, on <see cref="Connection"/>.</summary>
        public NpgsqlCommand? Insert { get; set; }

        /// <summary>The appends being committed; still set if the commit failed unexpectedly.</summary>
        public List<Pending>? InFlight { get; set; }

        /// <summary>Whether this writer has committed at least once (a restart that works resets the pause).</summary>
        public bool Committed { get; set; }
    }

    private async Task CommitWaitingAsync(Writer writer)
    {
        var batch = new List<Pending>();
        var rows = 0;
        while (rows < _options.Value.MaxRowsPerCommit && _queue.Reader.TryRead(out var next))
        {
            batch.Add(next);
            rows += next.Readings.Count;
        }
        if (batch.Count == 0) return;
        writer.InFlight = batch;
        try
        {
            var stored = await WriteAsync(writer, batch);
            writer.InFlight = null;
            writer.Committed = true;
            if (stored.Count == rows)
            {
                foreach (var p in batch) p.Done.TrySetResult(p.Readings); // every row stored: no key to look up
                return;
            }
            // Each stored row goes to the first append of the batch that holds it; later ones are duplicates.
            foreach (var p in batch) p.Done.TrySetResult(p.Readings.Where(r => stored.Remove(KeyOf(p, r))).ToList());
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
        {
            writer.InFlight = null;
            LogCommitFailed(_log, rows, ex);
            await DisposeQuietlyAsync(writer);
            (writer.Connection, writer.Insert) = (null, null);
            var unavailable = new HueUnavailableException("The reading history database is unavailable; retry shortly.", 2);
            foreach (var p in batch) p.Done.TrySetException(unavailable);
        }
        finally
        {
            Interlocked.Add(ref _queued, -rows);
        }
    }

    /// <summary>A row's identity as PostgreSQL keeps it: kind, sensor and time to the microsecond.</summary>
    private static (SensorKind Kind, string SensorId, long Micros) KeyOf(Pending pending, Reading reading) =>
        (pending.Kind, pending.SensorId, reading.At.UtcTicks / 10);

    /// <summary>
    /// Commits the batch; returns the keys of the rows stored (not those already held). A batch is first written straight
    /// into the history, one statement: a reading already held (a resend older than the sensor's recent times) makes
    /// it fail whole with a unique violation, and then, for <see cref="CarefulAfterDuplicate"/>, every batch takes the
    /// careful path: COPY into the staging table and <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c>.
    /// </summary>
    private async Task<HashSet<(SensorKind Kind, string SensorId, long Micros)>> WriteAsync(Writer writer, List<Pending> batch)
    {
        _beforeCommit?.Invoke();
        if (writer.Connection is null) (writer.Connection, writer.Insert) = await OpenWriterAsync();
        var connection = writer.Connection;
        await EnsurePartitionsAsync(connection, batch);
        // A row twice in one batch (a reading resent while its first send waits) is written once: the first wins.
        var staged = new HashSet<(SensorKind Kind, string SensorId, long Micros)>();
        var rows = new List<(Pending Pending, Reading Reading)>();
        foreach (var pending in batch)
        {
            foreach (var reading in pending.Readings)
            {
                if (staged.Add(KeyOf(pending, reading))) rows.Add((pending, reading));
            }
        }
        if (_time.GetUtcNow().UtcTicks >= Volatile.Read(ref _carefulUntilTicks))
        {
            try
            {
                if (rows.Count <= SmallCommitRows) await InsertAsync(writer.Insert!, rows);
                else await CopyAsync(connection, "hue_readings", rows);
                return staged;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // Nothing of it was stored: the statement failed whole. Writers share the window (any of them may set it).
                Volatile.Write(ref _carefulUntilTicks, (_time.GetUtcNow() + CarefulAfterDuplicate).UtcTicks);
            }
        }
        await using var tx = await connection.BeginTransactionAsync();
        await CopyAsync(connection, "hue_readings_stage", rows);
        var stored = new HashSet<(SensorKind Kind, string SensorId, long Micros)>();
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO hue_readings (kind, sensor_id, at, value) SELECT kind, sensor_id, at, value FROM hue_readings_stage
            ON CONFLICT DO NOTHING RETURNING kind, sensor_id, at
            """,
            connection, tx))
        {
            await using var reader = await insert.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                stored.Add(((SensorKind)reader.GetInt16(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2).UtcTicks / 10));
        }
        await tx.CommitAsync();
        return stored;
    }

    /// <summary>How long batches take the careful path after one held a reading already stored.</summary>
    internal static readonly TimeSpan CarefulAfterDuplicate = TimeSpan.FromSeconds(10);

    private long _carefulUntilTicks;

    /// <summary>Until when commits take the careful path (a batch held a reading already stored); for tests.</summary>
    internal DateTimeOffset CarefulUntil => new(Volatile.Read(ref _carefulUntilTicks), TimeSpan.Zero);

    /// <summary>Creates the monthly partitions the batch needs that this silo has not seen yet (each its own transaction).</summary>
    private async Task EnsurePartitionsAsync(NpgsqlConnection connection, List<Pending> batch)
    {
        foreach (var pending in batch)
        {
            foreach (var reading in pending.Readings)
            {
                var month = (pending.Kind, MonthOf(reading.At));
                if (_partitions.ContainsKey(month)) continue;
                await using var ensure = new NpgsqlCommand("SELECT hue_ensure_reading_partition($1, $2)", connection);
                ensure.Parameters.Add(new NpgsqlParameter { Value = (short)month.Kind, NpgsqlDbType = NpgsqlDbType.Smallint });
                ensure.Parameters.Add(new NpgsqlParameter { Value = month.Item2, NpgsqlDbType = NpgsqlDbType.Date });
                await ensure.ExecuteNonQueryAsync();
                _partitions[month] = true;
            }
        }
    }

    /// <summary>
    /// Binary-COPYs the rows into <paramref name="table"/>. Rows are written with the synchronous calls: they only fill
    /// the connection's buffer (a full one is sent at once on the writer's own connection), where four awaited calls
    /// per row each ran an async state machine.
    /// </summary>
    private static async Task CopyAsync(NpgsqlConnection connection, string table, List<(Pending Pending, Reading Reading)> rows)
    {
        await using var copy = await connection.BeginBinaryImportAsync($"COPY {table} (kind, sensor_id, at, value) FROM STDIN (FORMAT BINARY)");
        foreach (var (pending, reading) in rows)
        {
            copy.StartRow();
            copy.Write((short)pending.Kind, NpgsqlDbType.Smallint);
            copy.Write(pending.SensorId, NpgsqlDbType.Text);
            copy.Write(reading.At.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            copy.Write(reading.Value, NpgsqlDbType.Double);
        }
        await copy.CompleteAsync();
    }

    /// <summary>
    /// Commits of at most this many rows (single readings under load: a handful per commit) are one prepared INSERT
    /// of arrays instead of a COPY: one round trip instead of two, no statement to parse. Measured on this 2-core VM,
    /// commits of 8 rows: the client's CPU 22 µs per row instead of 36-45, PostgreSQL's 12 instead of 15-17.
    /// </summary>
    internal const int SmallCommitRows = 100;

    /// <summary>Inserts the rows with the writer's prepared statement; like the COPY, it fails whole on a row already held.</summary>
    private static async Task InsertAsync(NpgsqlCommand insert, List<(Pending Pending, Reading Reading)> rows)
    {
        var (kinds, sensors, times, values) = (new short[rows.Count], new string[rows.Count], new DateTimeOffset[rows.Count], new double[rows.Count]);
        for (var i = 0; i < rows.Count; i++)
        {
            var (pending, reading) = rows[i];
            (kinds[i], sensors[i], times[i], values[i]) = ((short)pending.Kind, pending.SensorId, reading.At.ToUniversalTime(), reading.Value);
        }
        ((NpgsqlParameter<short[]>)insert.Parameters[0]).TypedValue = kinds;
        ((NpgsqlParameter<string[]>)insert.Parameters[1]).TypedValue = sensors;
        ((NpgsqlParameter<DateTimeOffset[]>)insert.Parameters[2]).TypedValue = times;
        ((NpgsqlParameter<double[]>)insert.Parameters[3]).TypedValue = values;
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>A writer's connection with its staging table and its prepared INSERT of small commits.</summary>
    private async Task<(NpgsqlConnection, NpgsqlCommand)> OpenWriterAsync()
    {
        var connection = await _db.OpenConnectionAsync();
        try
        {
            return (connection, await PrepareWriterAsync(connection));
        }
        catch
        {
            await connection.DisposeAsync(); // back to the pool (or discarded if broken), not leaked
            throw;
        }
    }

    private static async Task<NpgsqlCommand> PrepareWriterAsync(NpgsqlConnection connection)
    {
        await using (var create = new NpgsqlCommand(
            "CREATE TEMP TABLE IF NOT EXISTS hue_readings_stage (kind smallint, sensor_id text, at timestamptz, value double precision) ON COMMIT DELETE ROWS",
            connection))
            await create.ExecuteNonQueryAsync();
        var insert = new NpgsqlCommand(
            "INSERT INTO hue_readings (kind, sensor_id, at, value) SELECT * FROM unnest($1::smallint[], $2::text[], $3::timestamptz[], $4::float8[])", connection)
        {
            Parameters =
            {
                new NpgsqlParameter<short[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Smallint },
                new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new NpgsqlParameter<DateTimeOffset[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                new NpgsqlParameter<double[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double },
            },
        };
        await insert.PrepareAsync();
        return insert;
    }

    public Task<IReadOnlyList<Reading>> ReadAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct) =>
        ReadRangeAsync(sensorId, kind, from, to, limit, newest: false, ct);

    public Task<IReadOnlyList<Reading>> ReadNewestAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct) =>
        ReadRangeAsync(sensorId, kind, from, to, limit, newest: true, ct);

    /// <summary>At most <paramref name="limit"/> readings in [from, to), oldest first: the first ones, or the newest ones.</summary>
    private async Task<IReadOnlyList<Reading>> ReadRangeAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, int limit,
        bool newest, CancellationToken ct)
    {
        var readings = new List<Reading>();
        await QueryAsync(
            $"SELECT at, value FROM hue_readings WHERE kind = $1 AND sensor_id = $2 AND at >= $3 AND at < $4 ORDER BY at {(newest ? "DESC" : "")} LIMIT $5",
            [(short)kind, sensorId, from.ToUniversalTime(), to.ToUniversalTime(), limit],
            r => readings.Add(new Reading(r.GetFieldValue<DateTimeOffset>(0), r.GetDouble(1))), ct);
        if (newest) readings.Reverse();
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
            await using var command = _db.CreateCommand(sql);
            foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) row(reader);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            LogReadFailed(_log, ex);
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

    [LoggerMessage(LogLevel.Error, "A reading journal writer failed ({Cause}); its appends get 503 and it restarts; {Remaining} writer(s) still running")]
    private static partial void LogWriterFailed(ILogger log, string cause, int remaining, Exception ex);

    [LoggerMessage(LogLevel.Warning, "Reading history query failed")]
    private static partial void LogReadFailed(ILogger log, Exception ex);
}
