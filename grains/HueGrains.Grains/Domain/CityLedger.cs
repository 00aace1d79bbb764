namespace HueGrains.Grains.Domain;

/// <summary>The newest snapshot of each commune, and the city-wide indicators computed from them.</summary>
[GenerateSerializer, Alias("hue.CityLedger")]
public sealed class CityLedger
{
    [Id(0)] public Dictionary<string, CommuneSnapshot> Communes { get; set; } = [];

    public bool Apply(CommuneSnapshot snapshot)
    {
        if (Communes.TryGetValue(snapshot.Code, out var held) && held.Version >= snapshot.Version) return false;
        Communes[snapshot.Code] = snapshot;
        return true;
    }

    public CityView View()
    {
        var held = Communes.Values.ToList();
        var summaries = CityMap.Communes
            .Select(c => Communes.TryGetValue(c.Code, out var s)
                ? new CommuneSummary(c.Code, c.Name, c.Type, s.Indicators, s.ComputedAt)
                : new CommuneSummary(c.Code, c.Name, c.Type, Indicators.Empty, null))
            .ToList();

        var all = held.Select(s => s.Indicators).ToList();
        int Sum(Func<Indicators, int> pick) => all.Sum(pick);
        var indicators = new Indicators(
            FloodAlertLevel: all.Select(i => i.FloodAlertLevel).DefaultIfEmpty().Max(),
            AqiBand: all.Max(i => i.AqiBand),
            SensorsReporting: Sum(i => i.SensorsReporting),
            Sensors: Sum(i => i.Sensors),
            OpenFeedback: Sum(i => i.OpenFeedback),
            OverdueFeedback: Sum(i => i.OverdueFeedback),
            ResolvedFeedback: Sum(i => i.ResolvedFeedback),
            RatedFeedback: Sum(i => i.RatedFeedback),
            SatisfiedFeedback: Sum(i => i.SatisfiedFeedback),
            SatisfactionRate: CommuneLedger.Rate(Sum(i => i.SatisfiedFeedback), Sum(i => i.RatedFeedback)),
            OpenCases: Sum(i => i.OpenCases),
            OverdueCases: Sum(i => i.OverdueCases),
            ResolvedCases: Sum(i => i.ResolvedCases),
            CompletedOnTime: Sum(i => i.CompletedOnTime),
            OnTimeRate: CommuneLedger.Rate(Sum(i => i.CompletedOnTime), Sum(i => i.ResolvedCases)),
            ActiveAlerts: Sum(i => i.ActiveAlerts),
            SensorsOnline: Sum(i => i.SensorsOnline),
            SensorsOffline: Sum(i => i.SensorsOffline),
            CasesReceived: Sum(i => i.CasesReceived),
            CasesProcessing: Sum(i => i.CasesProcessing),
            MedianHoursToResolve: ResolveTimes.Merge(held.Select(s => s.ResolveTimes).OfType<ResolveTimes>()).MedianHours(),
            ResolvedCases90d: Sum(i => i.ResolvedCases90d),
            CompletedOnTime90d: Sum(i => i.CompletedOnTime90d),
            OnTimeRate90d: CommuneLedger.Rate(Sum(i => i.CompletedOnTime90d), Sum(i => i.ResolvedCases90d)),
            RatedFeedback90d: Sum(i => i.RatedFeedback90d),
            SatisfiedFeedback90d: Sum(i => i.SatisfiedFeedback90d),
            SatisfactionRate90d: CommuneLedger.Rate(Sum(i => i.SatisfiedFeedback90d), Sum(i => i.RatedFeedback90d)));

        var kinds = held.SelectMany(s => s.Sensors)
            .GroupBy(k => k.Kind)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var reporting = g.Sum(k => k.SensorsReporting);
                var weightedMean = reporting == 0 ? (double?)null : g.Sum(k => (k.Mean ?? 0) * k.SensorsReporting) / reporting;
                return new KindIndicators(g.Key, g.Key.Info().Unit, g.Sum(k => k.Sensors), reporting, weightedMean,
                    g.Max(k => k.Max), g.Max(k => k.AlertLevel));
            })
            .ToList();

        var alerts = held.SelectMany(s => s.ActiveAlerts)
            .OrderByDescending(a => a.Level).ThenByDescending(a => a.At)
            .ToList();

        var updated = held.Count == 0 ? (DateTimeOffset?)null : held.Max(s => s.ComputedAt);
        return new CityView(Keys.City, CityMap.CityName, indicators, kinds, summaries, alerts, updated);
    }
}
