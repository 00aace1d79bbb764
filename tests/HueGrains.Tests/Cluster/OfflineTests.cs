using HueGrains.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace HueGrains.Tests.Cluster;

/// <summary>A silo whose domain clock is fake, so hours of silence pass in a test.</summary>
public sealed class FakeClockFixture : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(HueTime.Key, Clock);
            silo.AddHueInMemoryProviders().AddHueGrains();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public class OfflineTests(FakeClockFixture fixture) : IClassFixture<FakeClockFixture>
{
    private IClusterClient Client => fixture.Cluster.Client;

    [Fact]
    public async Task A_sensor_is_offline_after_three_missed_intervals_and_online_again_with_its_next_reading()
    {
        var code = CityMap.Communes[20].Code;
        var id = $"t-{Guid.NewGuid():N}";
        var sensor = Client.Sensor(id);
        await sensor.Provision(new SensorSpec(SensorKind.Noise, "dBA", code, 16.47, 107.6, ExpectedIntervalSeconds: 60));
        await sensor.Ingest([new Reading(fixture.Clock.GetUtcNow(), 55)], null);
        var commune = Client.GetGrain<ICommuneGrain>(code);
        await Eventually.Holds(() => commune.Get(), c => c.Indicators.SensorsOnline == 1);

        fixture.Clock.Advance(TimeSpan.FromSeconds(179));
        Assert.True((await sensor.Get())!.Online);
        Assert.Equal((1, 0), ((await commune.Get()).Indicators.SensorsOnline, (await commune.Get()).Indicators.SensorsOffline));

        fixture.Clock.Advance(TimeSpan.FromSeconds(2)); // 181 s: three 60-second intervals missed
        Assert.False((await sensor.Get())!.Online);
        await Eventually.Holds(() => commune.Get(), c => (c.Indicators.SensorsOnline, c.Indicators.SensorsOffline) == (0, 1)); // the refresh, each second
        await Eventually.Holds(() => Client.GetGrain<ICityGrain>(Keys.City).Get(),
            c => c.Communes.Single(x => x.Code == code).Indicators.SensorsOffline == 1); // the commune's periodic refresh

        await sensor.Ingest([new Reading(fixture.Clock.GetUtcNow(), 57)], null);
        Assert.True((await sensor.Get())!.Online);
        await Eventually.Holds(() => commune.Get(), c => c.Indicators.SensorsOnline == 1 && c.Indicators.SensorsOffline == 0);
        await Eventually.Holds(() => Client.GetGrain<ICityGrain>(Keys.City).Get(),
            c => c.Communes.Single(x => x.Code == code).Indicators.SensorsOnline == 1);
    }

    [Fact]
    public async Task A_sensor_that_never_reports_goes_offline_three_intervals_after_provisioning()
    {
        var code = CityMap.Communes[21].Code;
        var sensor = Client.Sensor($"t-{Guid.NewGuid():N}");
        await sensor.Provision(new SensorSpec(SensorKind.Humidity, "%RH", code, 16.47, 107.6, ExpectedIntervalSeconds: 600));
        Assert.True((await sensor.Get())!.Online);
        fixture.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.False((await sensor.Get())!.Online);
        await Eventually.Holds(() => Client.GetGrain<ICommuneGrain>(code).Get(), c => c.Indicators.SensorsOffline == 1);
    }
}
