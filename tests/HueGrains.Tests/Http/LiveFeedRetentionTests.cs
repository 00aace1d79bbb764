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
    public async Task A_quiet_node_forgets_its_recent_events_and_a_late_resume_gets_a_snapshot()
    {
        // Its own meters, disposed with the test: the platform's exporters listen to every meter named HueGrains.
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new HueMetrics(services.GetRequiredService<IMeterFactory>());
        using var feed = new LiveFeed(fixture.Cluster.Client, fixture.Clock, metrics, new LiveGate(Options.Create(new LiveOptions()), metrics), NullLogger<LiveFeed>.Instance);
        await feed.StartAsync(CancellationToken.None);
        try
        {
            // The first look at the city publishes its indicators and every commune's.
            await WaitUntil(() => feed.Position().Sequence > 1);
            var first = feed.IdOf(1);
            Assert.Equal(1, feed.Resumable(first));
            Assert.NotEmpty(feed.After(0));

            fixture.Clock.Advance(LiveFeed.KeptFor + TimeSpan.FromSeconds(1));
            await WaitUntil(() => feed.After(0).Count == 0);

            Assert.Null(feed.Resumable(first)); // too old: the client gets the snapshot
            var newest = feed.Position().Sequence;
            Assert.Equal(newest, feed.Resumable(feed.IdOf(newest))); // up to date: nothing was missed
        }
        finally
        {
            await feed.StopAsync(CancellationToken.None);
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50);
        }
    }
}
