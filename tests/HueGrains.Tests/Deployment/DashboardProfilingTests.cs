using HueGrains.Silo;
using HueGrains.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HueGrains.Tests.Deployment;

/// <summary>The Orleans dashboard stays on by default, without a filter on every grain call unless its profiling is asked for.</summary>
public sealed class DashboardProfilingTests
{
    [Theory]
    [InlineData(null, 0)]
    [InlineData("false", 0)]
    [InlineData("true", 1)]
    public async Task The_dashboard_filters_grain_calls_only_when_profiling(string? profiling, int filters)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hue:Orleans:SiloPort"] = LoopbackPorts.FreeSetting(),
            ["Hue:Orleans:GatewayPort"] = LoopbackPorts.FreeSetting(),
            ["Hue:DashboardProfiling"] = profiling,
        });
        builder.AddHuePlatform();
        await using var app = builder.Build();

        Assert.Equal(filters, app.Services.GetServices<IIncomingGrainCallFilter>().Count());
        Assert.NotEmpty(app.Services.GetServices<IConfigureOptions<Orleans.Dashboard.DashboardOptions>>()); // the dashboard is there either way
    }
}
