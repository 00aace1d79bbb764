using System.Diagnostics;
using HueGrains.Persistence;
using Xunit.Abstractions;

namespace HueGrains.IntegrationTests;

/// <summary>
/// Photos, duplicate search and notifications behind the same interfaces in both modes: memory (embedded) and
/// PostgreSQL (deploy/sql/012 and 013), including the 1,000-citizen alert fan-out, measured.
/// </summary>
[Collection(PostgresCollection.Name)]
public class PeopleParityTests(PostgresServer postgres, ITestOutputHelper output)
{
    private const string KimLong = "19774";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_BD2_reading_in_Kim_Long_puts_one_notification_in_each_of_1000_inboxes_within_5_s(bool durable)
    {
        var database = durable ? await postgres.CreateDatabaseAsync() : null;
        var (cluster, clock) = await ProjectionParityTests.StartAsync(database);
        await using (cluster)
        {
            var client = cluster.Client;
            var citizens = Enumerable.Range(0, 1000).Select(i => $"c-{i:D4}{Guid.NewGuid():N}"[..34]).ToList();
            foreach (var batch in citizens.Select((id, i) => (id, i)).Chunk(100))
                await Task.WhenAll(batch.Select(c => client.GetGrain<ICitizenGrain>(c.id).Register(
                    new CitizenProfile("Lê Văn Bình", new DateOnly(1985, 1, 1), $"0461{c.i:D8}", "0905000222", KimLong))));
            await client.Sensor("kimlong-gauge").Provision(new SensorSpec(SensorKind.WaterLevel, "m", KimLong, 16.46, 107.55));

            var inboxes = client.GetGrain<INotificationsGrain>(0);
            var watch = Stopwatch.StartNew();
            await client.Sensor("kimlong-gauge").Ingest([new Reading(clock.GetUtcNow(), 2.1)], null);
            var acknowledged = watch.Elapsed;
            while ((await inboxes.Inbox(citizens[^1], false, null, 10)).Count == 0)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "no notification after 30 s");
                await Task.Delay(20);
            }
            var reached = watch.Elapsed;
            output.WriteLine($"{(durable ? "PostgreSQL" : "embedded")}: reading acknowledged in {acknowledged.TotalMilliseconds:0} ms; " +
                $"1,000 inboxes written {reached.TotalMilliseconds:0} ms after the reading");

            foreach (var batch in citizens.Chunk(100))
            {
                var counts = await Task.WhenAll(batch.Select(c => inboxes.Inbox(c, false, null, 10)));
                Assert.All(counts, inbox => Assert.Equal(NotificationKinds.Alert, Assert.Single(inbox).Kind));
            }
            Assert.True(reached < TimeSpan.FromSeconds(5), $"the inboxes were written {reached.TotalSeconds:0.0} s after the reading");

            // Retention: entries older than the cut-off go, newer ones stay (the store's clock may be the test's or the database's).
            await using var source = database is null ? null : Npgsql.NpgsqlDataSource.Create(database);
            INotificationStore store = source is null ? new MemoryNotificationStore(client) : new PostgresNotificationStore(source);
            var (earliest, latest) = (Min(clock.GetUtcNow(), DateTimeOffset.UtcNow), Max(clock.GetUtcNow(), DateTimeOffset.UtcNow));
            Assert.Equal(0, await store.ForgetBeforeAsync(earliest.AddDays(-1), CancellationToken.None));
            Assert.Single(await inboxes.Inbox(citizens[0], false, null, 10));
            Assert.Equal(1000, await store.ForgetBeforeAsync(latest.AddDays(1), CancellationToken.None));
            Assert.Empty(await inboxes.Inbox(citizens[0], false, null, 10));
        }

        static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
        static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Duplicate_search_places_follows_and_photos_answer_the_same_in_both_modes(bool durable)
    {
        var (cluster, clock) = await ProjectionParityTests.StartAsync(durable ? await postgres.CreateDatabaseAsync() : null);
        await using (cluster)
        {
            var client = cluster.Client;
            var reporter = "c-0000000000000000000000000000dupes";
            await client.GetGrain<ICitizenGrain>(reporter).Register(new CitizenProfile("Hồ Thị Lan", new DateOnly(1992, 2, 2), "046192000777", "0905000333", KimLong));
            async Task<string> Submit(string id, FeedbackCategory category, double lat, double lon)
            {
                await client.GetGrain<IFeedbackGrain>(id).Submit(new FeedbackReport(category, "Ngập", KimLong, lat, lon, null), reporter);
                clock.Advance(TimeSpan.FromMinutes(1));
                return id;
            }
            var near = await Submit("pa-dupe-near", FeedbackCategory.TrafficInfrastructure, 16.46027, 107.55);   // ~30 m
            await Submit("pa-dupe-far", FeedbackCategory.TrafficInfrastructure, 16.4609, 107.55);              // ~100 m
            await Submit("pa-dupe-other", FeedbackCategory.Other, 16.46, 107.55);
            var old = await Submit("pa-dupe-old", FeedbackCategory.TrafficInfrastructure, 16.46, 107.5501);
            clock.Advance(TimeSpan.FromDays(8));
            var recent = await Submit("pa-dupe-recent", FeedbackCategory.TrafficInfrastructure, 16.46, 107.5502);
            var query = new FeedbackQuery(FeedbackCategory.TrafficInfrastructure, Open: true, From: clock.GetUtcNow() - DuplicateSearch.Window, Limit: 21,
                Area: GeoArea.Circle(new GeoPoint(16.46, 107.55), DuplicateSearch.RadiusMeters));
            Assert.Equal([recent], (await client.Projections().FeedbackSummaries(query)).Select(f => f.Id));
            Assert.Equal([recent, old, near], (await client.Projections().FeedbackSummaries(query with { From = null })).Select(f => f.Id));

            var official = new Actor(Roles.Official, KimLong, Subject: "o");
            var closed = await client.GetGrain<IFeedbackGrain>(recent).MarkDuplicate(near, official);
            Assert.Equal((FeedbackStatus.Closed, near), (closed.Status, closed.DuplicateOf));
            Assert.Equal([old, near], (await client.Projections().FeedbackSummaries(query with { From = null })).Select(f => f.Id));

            var inbox = client.GetGrain<INotificationsGrain>(0);
            await inbox.AddPlace(reporter, new CitizenPlace("pl-1", "Nhà", 16.47, 107.56, 800, clock.GetUtcNow()));
            Assert.Equal("Nhà", Assert.Single(await inbox.Places(reporter)).Name);
            Assert.True(await inbox.RemovePlace(reporter, "pl-1"));
            Assert.Empty(await inbox.Places(reporter));

            var photo = new PhotoUpload(PhotoLimits.NewPhotoId(), [1, 2, 3], 3, 1, [4], "\"a\"", "\"b\"");
            var view = await client.GetGrain<IFeedbackGrain>(near).AddPhoto(photo, new Actor(Roles.Citizen, CitizenId: reporter));
            Assert.Equal(photo.PhotoId, Assert.Single(view.Photos!).Id);
            var photos = client.GetGrain<IFeedbackPhotosGrain>(0);
            Assert.Equal([1, 2, 3], (await photos.Read(near, photo.PhotoId, false, null))!.Bytes);
            Assert.Equal([4], (await photos.Read(near, photo.PhotoId, true, null))!.Bytes);
            Assert.Null((await photos.Read(near, photo.PhotoId, false, "\"a\""))!.Bytes);
            await client.GetGrain<IFeedbackGrain>(near).HidePhoto(photo.PhotoId, "Biển số xe", official);
            Assert.True((await photos.Read(near, photo.PhotoId, false, null))!.Hidden);
            Assert.Null(await photos.Read(near, PhotoLimits.NewPhotoId(), false, null));
        }
    }
}
