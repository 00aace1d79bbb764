using System.Collections.Concurrent;
using HueGrains.Grains;
using Microsoft.Extensions.Logging.Abstractions;

namespace HueGrains.Tests.Domain;

public class SensorOutboxTests
{
    private const int Rounds = 10;
    private const int SensorsPerRound = 5_000;
    private const int Versions = 3;
    private const int Posters = 4;

    /// <summary>
    /// Like bulk provisioning under ingest: several threads post snapshots (each sensor three versions in turn) while
    /// a loop flushes without pause. Every sensor must arrive, its versions in order, none twice, the newest last.
    /// </summary>
    [Fact]
    public async Task Posts_racing_with_flushes_are_all_delivered_once_with_each_sensors_newest_version_last()
    {
        var delivered = new ConcurrentDictionary<string, ConcurrentQueue<(string Commune, long Version)>>();
        var publishes = 0;
        var outbox = new SensorOutbox(async (commune, batch) =>
        {
            foreach (var s in batch.Sensors) delivered.GetOrAdd(s.EntityId, _ => new()).Enqueue((commune, s.Version));
            if (Interlocked.Increment(ref publishes) % 3 == 0) await Task.Yield(); // sometimes in the middle of a flush
        }, NullLogger<SensorOutbox>.Instance);

        for (var round = 0; round < Rounds; round++)
        {
            var ids = Enumerable.Range(0, SensorsPerRound).Select(i => $"r{round}-s{i}").ToArray();
            using var posting = new CancellationTokenSource();
            var flushing = Task.Run(async () =>
            {
                while (!posting.IsCancellationRequested) await outbox.FlushAsync();
            });
            using var start = new Barrier(Posters);
            var posters = Enumerable.Range(0, Posters).Select(p => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                for (var version = 1; version <= Versions; version++)
                {
                    for (var i = p; i < ids.Length; i += Posters) outbox.Post(CommuneOf(i), Snapshot(ids[i], version));
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
            await Task.WhenAll(posters);
            await posting.CancelAsync();
            await flushing;
            await outbox.FlushAsync(); // what the last flush of the loop did not see

            var perCommune = new Dictionary<string, int>();
            for (var i = 0; i < ids.Length; i++)
            {
                Assert.True(delivered.TryGetValue(ids[i], out var arrivals), $"{ids[i]} never arrived (round {round})");
                var versions = arrivals.Select(a => a.Version).ToList();
                Assert.True(versions.SequenceEqual(versions.Distinct().Order()), $"{ids[i]} arrived as {string.Join(",", versions)}");
                Assert.Equal(Versions, versions[^1]);
                Assert.All(arrivals, a => Assert.Equal(CommuneOf(i), a.Commune));
                perCommune[CommuneOf(i)] = perCommune.GetValueOrDefault(CommuneOf(i)) + 1;
            }
            Assert.Equal(SensorsPerRound, perCommune.Values.Sum());
        }
        Assert.Equal(Rounds * SensorsPerRound, delivered.Count);
    }

    private static string CommuneOf(int sensor) => CityMap.Communes[sensor % 20].Code;

    private static SensorSnapshot Snapshot(string id, long version) =>
        new(id, version, SensorKind.WaterLevel, new Reading(DateTimeOffset.UnixEpoch.AddSeconds(version), version), 0, null, [],
            TimeSpan.FromMinutes(5), DateTimeOffset.UnixEpoch);
}
