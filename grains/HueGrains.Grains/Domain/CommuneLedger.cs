namespace HueGrains.Grains.Domain;

/// <summary>
/// What a commune counts live, bounded by what is live: its sensors (the figures of each that the indicators need),
/// its open dossiers and reports (the newest snapshot of each), and the totals of everything that closed as the projection store keeps them. Applying an old or
/// repeated snapshot changes nothing: an item's newest version wins, and closed items are remembered by version for a
/// while so a late copy of an older, open version cannot bring them back.
/// </summary>
public sealed class CommuneLedger
{
    /// <summary>A sensor counts as reporting while its newest reading is at most this old.</summary>
    public static readonly TimeSpan ReportingWindow = TimeSpan.FromHours(1);

    /// <summary>How long a closed item's version is remembered; reconcile (every few seconds) repairs anything older.</summary>
    public static readonly TimeSpan ClosedMemory = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, SensorFigures> _sensors = [];
    private readonly Dictionary<string, CaseSnapshot> _openCases = [];
    private readonly Dictionary<string, FeedbackSnapshot> _openFeedback = [];
    private readonly Dictionary<string, ClosedMark> _recentlyClosed = [];

    public ClosedTotals Totals { get; private set; } = ClosedTotals.Empty;

    /// <summary>Something closed, reopened or was rated since the totals were read: read them again.</summary>
    public bool TotalsStale { get; private set; }

    public IReadOnlyDictionary<string, CaseSnapshot> OpenCases => _openCases;
    public IReadOnlyDictionary<string, FeedbackSnapshot> OpenFeedback => _openFeedback;
    public IReadOnlyDictionary<string, SensorFigures> Sensors => _sensors;

    /// <summary>Applies a snapshot if it is newer than what is held; returns whether anything changed.</summary>
    public bool Apply(IEntitySnapshot snapshot, DateTimeOffset now) => snapshot switch
    {
        SensorSnapshot s => ApplySensor(s),
        CaseSnapshot c => ApplyItem(_openCases, c, c.Status.IsOpen(), now),
        FeedbackSnapshot f => ApplyItem(_openFeedback, f, f.Status.IsOpen(), now),
        _ => false,
    };

    /// <summary>
    /// Replaces the live state with what the projections hold (reconcile). Sensors keep a newer snapshot than their
    /// saved row, since a sensor publishes every reading but saves its summary only now and then.
    /// </summary>
    public void Load(CommuneContents contents, DateTimeOffset now)
    {
        Replace(_openCases, contents.OpenCases);
        Replace(_openFeedback, contents.OpenFeedback);
        foreach (var sensor in contents.Sensors)
        {
            // Sensor versions are clock ticks: one far ahead of the clock is corrupt, and the saved row wins over it.
            if (_sensors.TryGetValue(sensor.EntityId, out var held) && held.Version > now.UtcTicks + FutureTolerance.Ticks) _sensors.Remove(sensor.EntityId);
            ApplySensor(sensor);
        }
        var forgotten = _recentlyClosed.Where(p => now - p.Value.At > ClosedMemory || IsOpen(p.Key)).Select(p => p.Key).ToList();
        foreach (var id in forgotten) _recentlyClosed.Remove(id);
        if (forgotten.Count > 0) _recentlyClosed.TrimExcess(); // a busy hour's marks do not keep their table size
        SetTotals(contents.Totals);
    }

    public void SetTotals(ClosedTotals totals)
    {
        Totals = totals;
        TotalsStale = false;
    }

    public CommuneSnapshot Compute(string code, long version, DateTimeOffset now)
    {
        // One pass over the sensors (this runs every flush, up to 20 times a second per commune): tallies per kind.
        var reportingSince = now.UtcTicks - ReportingWindow.Ticks;
        var tallies = new KindTally[KindCount];
        var (reporting, online) = (0, 0);
        AqiBand? aqiBand = null;
        var alerts = new List<ActiveAlert>();
        foreach (var (id, s) in _sensors)
        {
            ref var tally = ref tallies[(int)s.Kind];
            tally.Sensors++;
            tally.AlertLevel = Math.Max(tally.AlertLevel, s.AlertLevel);
            if (s.IsOnline(now)) online++;
            if (s.LatestAt is { } at && at.UtcTicks >= reportingSince)
            {
                reporting++;
                tally.Reporting++;
                tally.Sum += s.LatestValue;
                tally.Max = tally.Reporting == 1 ? s.LatestValue : Math.Max(tally.Max, s.LatestValue);
                if (s.Kind == SensorKind.Pm25 && s.AqiBand is { } band && (aqiBand is null || band > aqiBand)) aqiBand = band;
            }
            foreach (var a in s.Alerts ?? [])
                alerts.Add(new ActiveAlert(id, code, s.Kind, a.Level, a.Value, a.UpdatedAt, a.Rule, a.Status, a.RaisedAt));
        }
        var kinds = new List<KindIndicators>();
        for (var k = 0; k < KindCount; k++)
        {
            var tally = tallies[k];
            if (tally.Sensors == 0) continue;
            var kind = (SensorKind)k;
            kinds.Add(new KindIndicators(kind, kind.Info().Unit, tally.Sensors, tally.Reporting,
                tally.Reporting > 0 ? tally.Sum / tally.Reporting : null, tally.Reporting > 0 ? tally.Max : null, tally.AlertLevel));
        }
        alerts.Sort(static (a, b) => b.Level != a.Level ? b.Level.CompareTo(a.Level)
            : string.CompareOrdinal(a.SensorId, b.SensorId) is var bySensor and not 0 ? bySensor : string.CompareOrdinal(a.Rule, b.Rule));
        var t = Totals;

        var indicators = new Indicators(
            FloodAlertLevel: tallies[(int)SensorKind.WaterLevel].AlertLevel,
            AqiBand: aqiBand,
            SensorsReporting: reporting,
            Sensors: _sensors.Count,
            OpenFeedback: _openFeedback.Count,
            OverdueFeedback: _openFeedback.Values.Count(f => f.IsOverdue(now)),
            ResolvedFeedback: t.FeedbackClosed,
            RatedFeedback: t.FeedbackRated,
            SatisfiedFeedback: t.FeedbackSatisfied,
            SatisfactionRate: Rate(t.FeedbackSatisfied, t.FeedbackRated),
            OpenCases: _openCases.Count,
            OverdueCases: _openCases.Values.Count(c => c.IsOverdue(now)),
            ResolvedCases: t.CasesCompleted,
            CompletedOnTime: t.CasesOnTime,
            OnTimeRate: Rate(t.CasesOnTime, t.CasesCompleted),
            ActiveAlerts: alerts.Count,
            SensorsOnline: online,
            SensorsOffline: _sensors.Count - online,
            CasesReceived: _openCases.Count + t.CasesClosed,
            CasesProcessing: _openCases.Values.Count(c => c.Status == CaseStatus.Processing),
            MedianHoursToResolve: t.ResolveTimes.MedianHours(),
            ResolvedCases90d: t.CasesCompletedRecent,
            CompletedOnTime90d: t.CasesOnTimeRecent,
            OnTimeRate90d: Rate(t.CasesOnTimeRecent, t.CasesCompletedRecent),
            RatedFeedback90d: t.FeedbackRatedRecent,
            SatisfiedFeedback90d: t.FeedbackSatisfiedRecent,
            SatisfactionRate90d: Rate(t.FeedbackSatisfiedRecent, t.FeedbackRatedRecent));

        return new CommuneSnapshot(code, version, indicators, kinds, alerts, now, t.ResolveTimes);
    }

    private static readonly int KindCount = Enum.GetValues<SensorKind>().Max(k => (int)k) + 1;

    private struct KindTally
    {
        public int Sensors, Reporting, AlertLevel;
        public double Sum, Max;
    }

    public static double? Rate(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    private bool ApplySensor(SensorSnapshot snapshot)
    {
        if (_sensors.TryGetValue(snapshot.EntityId, out var held) && held.Version >= snapshot.Version) return false;
        _sensors[snapshot.EntityId] = new SensorFigures(snapshot);
        return true;
    }

    private bool ApplyItem<T>(Dictionary<string, T> open, T snapshot, bool isOpen, DateTimeOffset now) where T : IEntitySnapshot
    {
        var id = snapshot.EntityId;
        var known = open.TryGetValue(id, out var held) ? held.Version
            : _recentlyClosed.TryGetValue(id, out var mark) ? mark.Version : 0;
        if (snapshot.Version <= known) return false;

        if (isOpen)
        {
            // Reopened (or unknown to this activation past its first version): it may leave the closed totals.
            if (_recentlyClosed.Remove(id) | (!open.ContainsKey(id) && snapshot.Version > 1)) TotalsStale = true;
            open[id] = snapshot;
        }
        else
        {
            open.Remove(id);
            _recentlyClosed[id] = new ClosedMark(snapshot.Version, now);
            TotalsStale = true; // closed, or a closed item changed (a rating): the store's totals already count it
        }
        return true;
    }

    private bool IsOpen(string id) => _openCases.ContainsKey(id) || _openFeedback.ContainsKey(id);

    private static void Replace<T>(Dictionary<string, T> held, IEnumerable<T> current) where T : IEntitySnapshot
    {
        held.Clear();
        foreach (var item in current) held[item.EntityId] = item;
    }

    private readonly record struct ClosedMark(long Version, DateTimeOffset At);
}
