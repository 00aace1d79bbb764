using HueGrains.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace HueGrains.Tests.Deployment;

/// <summary>The Orleans dashboard stays on by default, without a filter on every grain call unless its profiling is asked for.</summary>
public sealed class DashboardProfilingTests
{
    [Theory]
    [InlineData(null, 0)]
    [InlineData("false", 0)]
    [InlineData("true", 1)]
    public void The_dashboard_filters_grain_calls_only_when_profiling(string? profiling, int filters)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hue:DashboardProfiling"] = profiling,
        });
        builder.AddHuePlatform();

        // The registrations, not the resolved filters: tracing (an OTLP endpoint in the environment) adds one of its own.
        Assert.Equal(filters, builder.Services.Count(OrleansDashboard.IsProfilerFilter));
        Assert.Contains(builder.Services, s => s.ServiceType == typeof(IConfigureOptions<Orleans.Dashboard.DashboardOptions>)); // the dashboard either way
    }
}
