using System.Diagnostics.Metrics;
using HueGrains.Api.Live;
using HueGrains.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HueGrains.Tests.Http;

public class LiveFeedRetentionTests(FakeClockFixture fixture) : IClassFixture<FakeClockFixture>
{
    [Fact]
    public async Task A_quiet_node_forgets_its_recent_events_and_a_late_resume_reads_them_from_the_change_feed()
    {
        // Its own meters, disposed with the test: the platform's exporters listen to every meter named HueGrains.
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new HueMetrics(services.GetRequiredService<IMeterFactory>());
        using var feed = new LiveFeed(fixture.Cluster.Client, fixture.Clock, metrics, new LiveGate(Options.Create(new LiveOptions()), metrics), NullLogger<LiveFeed>.Instance);
        await feed.StartAsync(CancellationToken.None);
        try
        {
            await WaitUntil(() => feed.Following);
            var before = feed.Position().Position;
            var code = CityMap.Communes[7].Code;
            var id = $"t-{Guid.NewGuid():N}";
            var sensor = fixture.Cluster.Client.Sensor(id);
            await sensor.Provision(new SensorSpec(SensorKind.WaterLevel, "m", code, 16.47, 107.6, Thresholds: [1, 2, 3]));
            await sensor.Ingest([new Reading(fixture.Clock.GetUtcNow(), 2.5)], null);

            // The alert, appended with the sensor's state, reaches the node's memory with its feed position as id.
            await WaitUntil(() => feed.After(before).Any(e => IsRaised(e, id)));
            var alert = feed.After(before).First(e => IsRaised(e, id));
            Assert.Equal(code, alert.Scope);
            var fromMemory = await feed.MissedAsync(alert.Position - 1, code, 200, CancellationToken.None);
            Assert.NotNull(fromMemory);
            Assert.Equal(alert.Position - 1, fromMemory.Through); // the rest comes from memory

            fixture.Clock.Advance(LiveFeed.KeptFor + TimeSpan.FromSeconds(1));
            // The alert and all before it are forgotten. Not the whole memory: the commune's and the city's indicator
            // changes that the alert causes may be read after the jump, and the stopped clock then keeps them recent.
            await WaitUntil(() => !feed.After(0).Any(e => e.Position <= alert.Position));

            // Older than memory: read from the feed itself, the same event at the same position.
            var fromFeed = await feed.MissedAsync(alert.Position - 1, code, 200, CancellationToken.None);
            Assert.NotNull(fromFeed);
            Assert.Contains(fromFeed.Events, e => e.Position == alert.Position && IsRaised(e, id));
            Assert.True(fromFeed.Through >= alert.Position);
            Assert.Null(await feed.MissedAsync(alert.Position - 1, code, 0, CancellationToken.None)); // beyond the cap: a snapshot
            Assert.Null(await feed.MissedAsync(long.MaxValue / 2, null, 200, CancellationToken.None)); // ahead of the feed: a snapshot
        }
        finally
        {
            await feed.StopAsync(CancellationToken.None);
        }
    }

    private static bool IsRaised(LiveEvent e, string sensor) =>
        e.Data is AlertEvent { Change: "raised" } a && a.Alert.SensorId == sensor && a.Alert.Level == 2;

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60); // generous: a loaded CI machine, not a latency target
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50);
        }
    }
}
