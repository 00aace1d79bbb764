using Orleans.Dashboard;

namespace HueGrains.Silo;

/// <summary>The Orleans dashboard at /dashboard, with or without its per-method call profiling.</summary>
public static class OrleansDashboard
{
    private const string ProfilerFilter = "Orleans.Dashboard.Implementation.GrainProfilerFilter";

    /// <summary>
    /// Adds the dashboard. Its call timings come from a grain call filter on every call of every grain, and any filter
    /// sends every call through Orleans' filter pipeline: that cost 7.5% of the silo's CPU per MQTT reading (W1c,
    /// 60.0 against 64.8 µs, and 1.09× the throughput side by side; bench -- --w1c-ab). Without
    /// <paramref name="profileCalls"/> the filter is left out: the dashboard still shows silos, activations and logs,
    /// and Orleans' own call metrics stay on /metrics.
    /// </summary>
    public static ISiloBuilder AddHueDashboard(this ISiloBuilder silo, bool profileCalls)
    {
        silo.AddDashboard();
        if (profileCalls) return silo;
        var filter = silo.Services.SingleOrDefault(d => d.ServiceType == typeof(IIncomingGrainCallFilter) && d.ImplementationType?.FullName == ProfilerFilter)
            ?? throw new InvalidOperationException($"The Orleans dashboard no longer registers {ProfilerFilter}: check how it profiles calls.");
        silo.Services.Remove(filter);
        return silo;
    }
}
