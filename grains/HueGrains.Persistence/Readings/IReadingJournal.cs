namespace HueGrains.Persistence;

/// <summary>
/// The silo's reading history. <see cref="AppendAsync"/> completes only when the readings are durable; a device's
/// acknowledgement waits for it. It throws <see cref="HueUnavailableException"/> when it cannot take them now.
/// </summary>
public interface IReadingJournal
{
    /// <summary>
    /// Stores the readings it does not hold yet (one per sensor and time) and returns those it stored, in the given
    /// order: a reading it already held, or one stored by an earlier append of the same commit, is not returned. The
    /// caller counts only what this returns, so a resent reading is never counted twice however old it is.
    /// </summary>
    Task<IReadOnlyList<Reading>> AppendAsync(string sensorId, SensorKind kind, IReadOnlyList<Reading> readings, CancellationToken ct);

    /// <summary>Raw readings in [from, to), oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Reading>> ReadAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct);

    /// <summary>The newest <paramref name="limit"/> raw readings in [from, to), returned oldest first.</summary>
    Task<IReadOnlyList<Reading>> ReadNewestAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct);

    /// <summary>Count, min, max and mean per bucket in [from, to), buckets aligned to local (UTC+7) time.</summary>
    Task<IReadOnlyList<ReadingBucket>> AggregateAsync(string sensorId, SensorKind kind, DateTimeOffset from, DateTimeOffset to, TimeBucket bucket, CancellationToken ct);
}
