using System.ComponentModel.DataAnnotations;

namespace HueGrains.Persistence;

/// <summary>Bound from <c>Hue:History</c>.</summary>
public sealed class HistoryOptions
{
    public const string Section = "Hue:History";

    /// <summary>How long readings are kept, unless <see cref="RetentionDaysByKind"/> says otherwise for a kind.</summary>
    [Range(1, 36500)] public int RetentionDays { get; set; } = 400;

    /// <summary>Per kind, by its JSON name ("water-level": 3650).</summary>
    public Dictionary<string, int> RetentionDaysByKind { get; set; } = [];

    /// <summary>Readings waiting to be written; beyond this, ingest answers 503 instead of queueing without bound.</summary>
    [Range(1000, 10_000_000)] public int QueueCapacity { get; set; } = 200_000;

    /// <summary>
    /// Writers committing side by side, each with its own connection. One is best on 2 cores shared with PostgreSQL
    /// (measured: 1 writer 3,889 single readings/s, 4 writers 3,052, 8 writers 2,375); more cores may want more.
    /// </summary>
    [Range(1, 32)] public int Writers { get; set; } = 1;

    /// <summary>Most rows committed in one transaction (group commit).</summary>
    [Range(100, 1_000_000)] public int MaxRowsPerCommit { get; set; } = 20_000;

    /// <summary>
    /// The longest a sensor goes without writing its live summary (latest reading, rolling windows, recent timestamps)
    /// while readings flow: each activation draws its own interval between half and all of this, so that sensors do not
    /// write together; alert changes and deactivation write at once. A new activation replays the readings journaled
    /// since, so a longer interval costs a few more replayed readings, never data. Once a minute was one state write per
    /// reading for a sensor reporting every minute (measured: most of the silo's and PostgreSQL's CPU per reading).
    /// </summary>
    [Range(1, 1440)] public int SensorSummaryMinutes { get; set; } = 10;

    /// <summary>Readings kept per sensor in the embedded (memory) mode.</summary>
    [Range(100, 10_000_000)] public int MemoryReadingsPerSensor { get; set; } = 20_000;

    /// <summary>Indicator snapshots kept per commune and for the city in the embedded mode (a day at one a minute).</summary>
    [Range(10, 1_000_000)] public int MemoryIndicatorSamples { get; set; } = 1440;

    /// <summary>How often the city snapshots every indicator for history and open data.</summary>
    [Range(1, 3600)] public int IndicatorSampleSeconds { get; set; } = 60;

    /// <summary>How long indicator snapshots are kept in PostgreSQL.</summary>
    [Range(1, 36500)] public int IndicatorRetentionDays { get; set; } = 400;

    public TimeSpan Retention(SensorKind kind) =>
        TimeSpan.FromDays(RetentionDaysByKind.TryGetValue(WireNames.Of(kind), out var days) ? days : RetentionDays);
}
