using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HueGrains.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace HueGrains.Tests.Domain;

/// <summary>The compact forms a sensor is kept in (W4): its key's digest, its saver, and that they store as before.</summary>
public class SensorMemoryTests
{
    [Fact]
    public void A_key_digest_is_the_keys_SHA_256_and_reads_back_from_its_hex()
    {
        const string key = "a-device-key-of-32-random-bytes";
        var hex = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var digest = KeyDigest.Of(key);
        Assert.Equal(hex, digest.ToString());
        Assert.Equal(hex, DeviceKeys.Hash(key));
        Assert.True(KeyDigest.TryParse(hex.ToUpperInvariant(), out var parsed) && parsed == digest && parsed.FixedTimeEquals(digest));
        Assert.False(KeyDigest.Of("another-device-key").FixedTimeEquals(digest));
        Assert.False(KeyDigest.TryParse(hex.AsSpan(0, 63), out _));
        Assert.False(KeyDigest.TryParse(hex[..^1] + "g", out _));
        Assert.False(KeyDigest.TryParse(null, out _));
    }

    [Fact]
    public void A_sensor_state_stores_its_key_hash_as_the_hex_it_always_was()
    {
        var hex = DeviceKeys.Hash("a-device-key-of-32-random-bytes");
        var stored = $$$"""{"DeviceKeyHash":"{{{hex}}}","Id":"gauge-1"}""";
        var state = JsonSerializer.Deserialize<SensorState>(stored)!;
        Assert.Equal(KeyDigest.Of("a-device-key-of-32-random-bytes"), state.DeviceKeyHash);
        Assert.Equal(hex, JsonDocument.Parse(JsonSerializer.Serialize(state)).RootElement.GetProperty("DeviceKeyHash").GetString());

        var revoked = JsonSerializer.Deserialize<SensorState>("""{"DeviceKeyHash":null,"Id":"gauge-1"}""")!;
        Assert.Null(revoked.DeviceKeyHash);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<SensorState>("""{"DeviceKeyHash":"not hex"}"""));
    }

    [Fact]
    public void A_state_stored_before_the_compact_forms_loads_with_the_storages_own_JSON_options()
    {
        var json = new SystemTextJsonGrainStorageSerializerOptions().JsonSerializerOptions; // what the PostgreSQL storage uses
        var now = new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
        var at = now.AddSeconds(-30);
        var hex = DeviceKeys.Hash("a-device-key-of-32-random-bytes");
        string Window(TimeSpan width, int buckets)
        {
            var index = at.UtcTicks / width.Ticks;
            return $$$"""{"BucketTicks":{{{width.Ticks}}},"Buckets":{{{buckets}}},"Newest":{{{index}}},"Slots":[{"Stamp":{{{(uint)index}}},"Count":1,"Min":2.5,"Max":2.5,"Sum":2.5}]}""";
        }
        var dayIndex = at.UtcTicks / TimeSpan.FromMinutes(15).Ticks;
        var legacyDay = $$$"""{"BucketTicks":{{{TimeSpan.FromMinutes(15).Ticks}}},"Buckets":96,"Data":{"{{{dayIndex - 4}}}":{"Count":2,"Min":1,"Max":3,"Sum":4} } }""";
        var stored = $$$"""
            {"DeviceKeyHash":"{{{hex}}}","ProvisionedAt":"2026-12-01T00:00:00+00:00","Version":5,"Id":"gauge-1",
             "Latest":{"At":"{{{at:O}}}","Value":2.5},"LastSeen":"{{{at:O}}}",
             "Stats":{"Minute":{{{Window(TimeSpan.FromSeconds(1), 60)}}},"Hour":{{{Window(TimeSpan.FromMinutes(1), 60)}}},"Day":{{{legacyDay}}} },
             "Recent":[{{{at.UtcTicks}}}]}
            """;

        var state = JsonSerializer.Deserialize<SensorState>(stored, json)!;
        Assert.Equal(KeyDigest.Of("a-device-key-of-32-random-bytes"), state.DeviceKeyHash);
        var stats = state.Stats.Snapshot(now);
        Assert.Equal((1, 1, 2), (stats.LastMinute.Count, stats.LastHour.Count, stats.LastDay.Count));
        Assert.Equal(2.5, stats.LastHour.Mean);
        Assert.Equal(4, stats.LastDay.Sum);
        Assert.True(state.Recent.Contains(at.UtcTicks));

        var written = JsonDocument.Parse(JsonSerializer.Serialize(state, json)).RootElement;
        Assert.Equal(hex, written.GetProperty("DeviceKeyHash").GetString());
        Assert.Equal(TimeSpan.FromMinutes(1).Ticks, written.GetProperty("Stats").GetProperty("Hour").GetProperty("BucketTicks").GetInt64());
        Assert.Equal(stats, JsonSerializer.Deserialize<SensorState>(written.GetRawText(), json)!.Stats.Snapshot(now));
    }

    [Fact]
    public void A_sensor_state_with_its_inline_windows_reads_back_from_JSON_Orleans_binary_and_a_copy_of_its_own()
    {
        var now = new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
        var state = new SensorState { Id = "gauge-1", DeviceKeyHash = KeyDigest.Of("a-device-key-of-32-random-bytes") };
        for (var i = 0; i < 90; i++)
        {
            var reading = new Reading(now.AddMinutes(i - 89), i);
            state.Recent.Add(reading.At.UtcTicks);
            state.Stats.Add(reading, now);
        }
        var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var fromJson = JsonSerializer.Deserialize<SensorState>(JsonSerializer.Serialize(state))!;
        var fromBinary = serializer.Deserialize<SensorState>(serializer.SerializeToArray(state))!;
        var copy = services.GetRequiredService<DeepCopier>().Copy(state)!;
        var expected = state.Stats.Snapshot(now);
        Assert.Equal((1, 60, 90), (expected.LastMinute.Count, expected.LastHour.Count, expected.LastDay.Count));
        foreach (var back in new[] { fromJson, fromBinary, copy })
        {
            Assert.Equal(expected, back.Stats.Snapshot(now));
            Assert.Equal(state.DeviceKeyHash, back.DeviceKeyHash);
            Assert.Equal(state.Recent.InOrder(), back.Recent.InOrder());
        }

        state.Stats.Add(new Reading(now.AddSeconds(1), 1000), now); // the stored copy has windows of its own
        Assert.Equal(expected, copy.Stats.Snapshot(now));
        Assert.NotEqual(expected, state.Stats.Snapshot(now));
    }

    [Fact]
    public Task A_saver_folds_a_save_asked_during_a_write_and_keeps_no_finished_write() => Task.Run(async () =>
    {
        // No synchronization context here: a finished write's continuation runs inside Finish.
        var writes = new Writer();
        var saver = new StateSaver(writes);
        var first = saver.SaveAsync();
        var again = saver.SaveAsync();
        var andAgain = saver.SaveAsync(); // two asks while the first write is in flight: one more write
        Assert.Same(first, again);
        Assert.Same(first, andAgain);
        writes.Finish();
        Assert.Equal(2, writes.Count);
        Assert.True(saver.Writing);
        writes.Finish();
        await first;
        Assert.Equal(2, writes.Count);
        Assert.False(saver.Writing); // the finished task (and its continuation) is let go: ~170 B per idle sensor
    });

    [Fact]
    public async Task A_saver_whose_write_ends_at_once_keeps_nothing_and_writes_again_when_asked()
    {
        var failing = new Writer(() => Task.FromException(new TimeoutException("storage")));
        var saver = new StateSaver(failing);
        await Assert.ThrowsAsync<TimeoutException>(saver.SaveAsync);
        Assert.False(saver.Writing);
        await Assert.ThrowsAsync<TimeoutException>(saver.SaveAsync); // a retry writes again
        Assert.Equal(2, failing.Count);

        var done = new Writer(() => Task.CompletedTask);
        var saved = new StateSaver(done);
        await saved.SaveAsync();
        Assert.False(saved.Writing);
        Assert.Equal(1, done.Count);
    }

    private sealed class Writer(Func<Task>? write = null) : StateSaver.IWriter
    {
        private TaskCompletionSource _write = new();

        public int Count { get; private set; }

        public Task WriteStateAsync()
        {
            Count++;
            if (write is not null) return write();
            _write = new TaskCompletionSource();
            return _write.Task;
        }

        public void Finish() => _write.SetResult();
    }
}
