namespace HueGrains.Grains.Domain;

/// <summary>
/// What a commune knows of its entities: the newest snapshot of each sensor, report and dossier. Indicators are
/// computed from it, never incremented, so applying an old or repeated snapshot cannot count anything twice.
/// </summary>
[GenerateSerializer, Alias("hue.CommuneLedger")]
public sealed class CommuneLedger
{
    /// <summary>A sensor counts as reporting while its newest reading is at most this old.</summary>
    public static readonly TimeSpan ReportingWindow = TimeSpan.FromHours(1);

    [Id(0)] public Dictionary<string, SensorSnapshot> Sensors { get; set; } = [];
    [Id(1)] public Dictionary<string, FeedbackSnapshot> Feedback { get; set; } = [];
    [Id(2)] public Dictionary<string, CaseSnapshot> Cases { get; set; } = [];

    /// <summary>Entities enrolled but not yet heard from; reconcile asks them for their state.</summary>
    [Id(3)] public HashSet<EntityRef> Pending { get; set; } = [];

    /// <summary>Applies a snapshot if it is newer than what is held; returns whether anything changed.</summary>
    public bool Apply(IEntitySnapshot snapshot) => snapshot switch
    {
        SensorSnapshot s => ApplyNewer(Sensors, s, EntityKind.Sensor),
        FeedbackSnapshot f => ApplyNewer(Feedback, f, EntityKind.Feedback),
        CaseSnapshot c => ApplyNewer(Cases, c, EntityKind.Case),
        _ => false,
    };

    /// <summary>Replaces a held snapshot with the entity's own current one, whatever the versions (reconcile).</summary>
    public void Replace(IEntitySnapshot snapshot)
    {
        switch (snapshot)
        {
            case SensorSnapshot s: Sensors[s.EntityId] = s; Pending.Remove(new(EntityKind.Sensor, s.EntityId)); break;
            case FeedbackSnapshot f: Feedback[f.EntityId] = f; Pending.Remove(new(EntityKind.Feedback, f.EntityId)); break;
            case CaseSnapshot c: Cases[c.EntityId] = c; Pending.Remove(new(EntityKind.Case, c.EntityId)); break;
        }
    }

    public void Remove(EntityRef entity)
    {
        Pending.Remove(entity);
        _ = entity.Kind switch
        {
            EntityKind.Sensor => Sensors.Remove(entity.Id),
            EntityKind.Feedback => Feedback.Remove(entity.Id),
            _ => Cases.Remove(entity.Id),
        };
    }

    public IEnumerable<EntityRef> Members() =>
        Sensors.Keys.Select(id => new EntityRef(EntityKind.Sensor, id))
            .Concat(Feedback.Keys.Select(id => new EntityRef(EntityKind.Feedback, id)))
            .Concat(Cases.Keys.Select(id => new EntityRef(EntityKind.Case, id)))
            .Concat(Pending);

    public bool Enroll(EntityRef entity)
    {
        var known = entity.Kind switch
        {
            EntityKind.Sensor => Sensors.ContainsKey(entity.Id),
            EntityKind.Feedback => Feedback.ContainsKey(entity.Id),
            _ => Cases.ContainsKey(entity.Id),
        };
        return !known && Pending.Add(entity);
    }

    public CommuneSnapshot Compute(string code, long version, DateTimeOffset now)
    {
        var reportingSince = now - ReportingWindow;
        bool Reporting(SensorSnapshot s) => s.Latest is { } r && r.At >= reportingSince;

        var kinds = Sensors.Values
            .GroupBy(s => s.Kind)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var live = g.Where(Reporting).Select(s => s.Latest!.Value).ToList();
                return new KindIndicators(g.Key, g.Key.Info().Unit, g.Count(), live.Count,
                    live.Count > 0 ? live.Average() : null, live.Count > 0 ? live.Max() : null,
                    g.Max(s => s.AlertLevel));
            })
            .ToList();

        var alerts = Sensors.Values
            .SelectMany(s => s.Alerts.Select(a => new ActiveAlert(s.EntityId, code, s.Kind, a.Level, a.Value, a.UpdatedAt, a.Rule, a.Status, a.RaisedAt)))
            .OrderByDescending(a => a.Level).ThenBy(a => a.SensorId, StringComparer.Ordinal).ThenBy(a => a.Rule, StringComparer.Ordinal)
            .ToList();
        var online = Sensors.Values.Count(s => s.IsOnline(now));

        var openFeedback = Feedback.Values.Where(f => f.Status.IsOpen()).ToList();
        var rated = Feedback.Values.Where(f => f.Rating is not null).ToList();
        var satisfied = rated.Count(f => f.Rating >= 4);
        var resolveTimes = ResolveTimes.Of(Feedback.Values
            .Where(f => !f.Status.IsOpen() && f.ResolvedAt is not null && f.SubmittedAt != default)
            .Select(f => f.ResolvedAt!.Value - f.SubmittedAt));
        var openCases = Cases.Values.Where(c => c.Status.IsOpen()).ToList();
        var completed = Cases.Values.Where(c => CaseWorkflow.IsCompleted(c.Status) && c.CompletedAt is not null).ToList();
        var onTime = completed.Count(c => c.CompletedAt <= c.DueAt);

        var indicators = new Indicators(
            FloodAlertLevel: Sensors.Values.Where(s => s.Kind == SensorKind.WaterLevel).Select(s => s.AlertLevel).DefaultIfEmpty().Max(),
            AqiBand: Sensors.Values.Where(s => s.Kind == SensorKind.Pm25 && Reporting(s)).Max(s => s.AqiBand),
            SensorsReporting: Sensors.Values.Count(Reporting),
            Sensors: Sensors.Count,
            OpenFeedback: openFeedback.Count,
            OverdueFeedback: openFeedback.Count(f => f.IsOverdue(now)),
            ResolvedFeedback: Feedback.Count - openFeedback.Count,
            RatedFeedback: rated.Count,
            SatisfiedFeedback: satisfied,
            SatisfactionRate: Rate(satisfied, rated.Count),
            OpenCases: openCases.Count,
            OverdueCases: openCases.Count(c => c.IsOverdue(now)),
            ResolvedCases: completed.Count,
            CompletedOnTime: onTime,
            OnTimeRate: Rate(onTime, completed.Count),
            ActiveAlerts: alerts.Count,
            SensorsOnline: online,
            SensorsOffline: Sensors.Count - online,
            CasesReceived: Cases.Count,
            CasesProcessing: openCases.Count(c => c.Status == CaseStatus.Processing),
            MedianHoursToResolve: resolveTimes.MedianHours());

        return new CommuneSnapshot(code, version, indicators, kinds, alerts, now, resolveTimes);
    }

    public static double? Rate(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    private bool ApplyNewer<T>(Dictionary<string, T> held, T snapshot, EntityKind kind) where T : IEntitySnapshot
    {
        if (held.TryGetValue(snapshot.EntityId, out var current) && current.Version >= snapshot.Version) return false;
        held[snapshot.EntityId] = snapshot;
        Pending.Remove(new EntityRef(kind, snapshot.EntityId));
        return true;
    }
}
