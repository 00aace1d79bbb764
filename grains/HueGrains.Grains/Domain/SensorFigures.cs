namespace HueGrains.Grains.Domain;

/// <summary>
/// What a commune keeps of one sensor: only what its indicators and alert list need, inline (a struct in the ledger's
/// table), not the snapshot as it arrived (a record, its reading, its alert list).
/// </summary>
public readonly record struct SensorFigures
{
    private readonly long _latestAtTicks; // 0: no reading yet
    private readonly double _latestValue;
    private readonly long _provisionedAtTicks;
    private readonly long _expectedIntervalTicks;

    public SensorFigures(SensorSnapshot snapshot)
    {
        Version = snapshot.Version;
        Kind = snapshot.Kind;
        AlertLevel = snapshot.AlertLevel;
        AqiBand = snapshot.AqiBand;
        Alerts = snapshot.Alerts.Count == 0 ? null : [.. snapshot.Alerts];
        (_latestAtTicks, _latestValue) = snapshot.Latest is { } latest ? (latest.At.UtcTicks, latest.Value) : (0, 0);
        _provisionedAtTicks = snapshot.ProvisionedAt.UtcTicks;
        _expectedIntervalTicks = snapshot.ExpectedInterval.Ticks;
    }

    public long Version { get; }
    public SensorKind Kind { get; }
    public int AlertLevel { get; }
    public AqiBand? AqiBand { get; }

    /// <summary>The active alerts by rule; null when there are none (most sensors).</summary>
    public SensorAlert[]? Alerts { get; }

    public DateTimeOffset? LatestAt => _latestAtTicks == 0 ? null : new DateTimeOffset(_latestAtTicks, TimeSpan.Zero);

    /// <summary>The newest reading's value; meaningful when <see cref="LatestAt"/> is not null.</summary>
    public double LatestValue => _latestValue;

    /// <summary>As <see cref="SensorSnapshot.IsOnline"/>: offline once three expected intervals pass without a reading.</summary>
    public bool IsOnline(DateTimeOffset now) => now.UtcTicks - (_latestAtTicks == 0 ? _provisionedAtTicks : _latestAtTicks) <= 3 * _expectedIntervalTicks;
}
