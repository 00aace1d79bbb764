using System.Collections.Concurrent;
using HueGrains.Persistence;

namespace HueGrains.Tests.Http;

/// <summary>
/// The fixture's reading journal: the in-memory one, except that the appends of a sensor put on hold wait until it is
/// released, as if the database had stopped answering them.
/// </summary>
public sealed class HoldingJournal(IReadingJournal inner) : IReadingJournal
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _held = new();
    private int _waiting;

    /// <summary>Appends waiting on hold now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public void Hold(string sensorId) => _held.TryAdd(sensorId, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Release(string sensorId)
    {
        if (_held.TryRemove(sensorId, out var gate)) gate.TrySetResult();
    }

    public async Task<IReadOnlyList<Reading>> AppendAsync(string sensorId, SensorKind kind, IReadOnlyList<Reading> readings, CancellationToken ct)
    {
        if (_held.TryGetValue(sensorId, out var gate))
        {
            // Like the PostgreSQL journal, an append once queued is not withdrawn when its caller gives up.
            Interlocked.Increment(ref _waiting);
            await gate.Task;
            Interlocked.Decrement(ref _waiting);
        }
        return await inner.AppendAsync(sensorId, kind, readings, ct);
    }

    public Task<IReadOnlyList<Reading>> ReadAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct) =>
        inner.ReadAsync(sensorId, kind, from, to, limit, ct);

    public Task<IReadOnlyList<Reading>> ReadNewestAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct) =>
        inner.ReadNewestAsync(sensorId, kind, from, to, limit, ct);

    public Task<IReadOnlyList<ReadingBucket>> AggregateAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, TimeBucket bucket, CancellationToken ct) =>
        inner.AggregateAsync(sensorId, kind, from, to, bucket, ct);
}
