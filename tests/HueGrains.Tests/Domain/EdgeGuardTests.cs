using HueGrains.Api.Ingest;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HueGrains.Tests.Domain;

/// <summary>The small guards the edges share: escaped log fields, capped error lists, a device's token bucket.</summary>
public class EdgeGuardTests
{
    [Fact]
    public void Log_fields_escape_control_characters_and_stay_short()
    {
        Assert.Equal("evil\\u000a2026-12-01 warn: forged\\u001b[0m", LogText.Escape("evil\n2026-12-01 warn: forged\u001b[0m"));
        Assert.Equal("a\\u2028b", LogText.Escape("a\u2028b"));
        var longName = LogText.Escape(new string('x', 10_000));
        Assert.Equal(LogText.MaxLength + 1, longName.Length);
        Assert.Equal("(none)", LogText.Escape(null));
    }

    [Fact]
    public void An_error_list_names_the_first_20_fields_and_counts_the_rest()
    {
        var errors = ErrorList.Capped(Enumerable.Range(0, 1000).Select(i => ($"[{i}]", "Rejected.")));
        Assert.Equal(ErrorList.MaxShown + 1, errors.Count);
        Assert.Equal("980 more errors not shown.", errors[ErrorList.MoreField].Single());
        Assert.DoesNotContain(ErrorList.MoreField, ErrorList.Capped([("a", "x"), ("a", "y")]).Keys);
    }

    [Fact]
    public void A_token_bucket_allows_its_burst_then_its_rate()
    {
        var bucket = new TokenBucket(perSecond: 2, burst: 3);
        var now = DateTimeOffset.UnixEpoch;
        Assert.True(bucket.TryTake(now, out _) && bucket.TryTake(now, out _) && bucket.TryTake(now, out _));
        Assert.False(bucket.TryTake(now, out var wait));
        Assert.Equal(1, wait);
        Assert.True(bucket.TryTake(now.AddSeconds(0.5), out _));
        Assert.False(bucket.TryTake(now.AddSeconds(0.5), out _));
        Assert.False(bucket.TryTake(now.AddSeconds(0.4), out _)); // a clock that steps back refills nothing
    }

    [Fact]
    public void The_node_limiter_keeps_a_bucket_per_device_and_forgets_quiet_devices()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var limiter = new DeviceRateLimiter(Options.Create(new IngestOptions { DeviceMessagesPerSecond = 1, DeviceBurst = 2 }), clock);
        var (a, b) = (DeviceKeys.Hash("device-key-a"), DeviceKeys.Hash("device-key-b"));
        Assert.True(limiter.TryAcquire(a) && limiter.TryAcquire(a));
        Assert.False(limiter.TryAcquire(a));
        Assert.True(limiter.TryAcquire(b)); // another device has its own bucket
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire(a));
        Assert.False(limiter.TryAcquire(a));
        Assert.Equal(2, limiter.Devices);
        Assert.True(limiter.TryAcquire(b.ToUpperInvariant()) && limiter.TryAcquire(b)); // in capitals, the same device's hash
        Assert.False(limiter.TryAcquire(b));

        clock.Advance(DeviceRateLimiter.IdleAfter + TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire(b)); // the sweep runs on this call: a went quiet, b just sent
        Assert.Equal(1, limiter.Devices);
        Assert.True(limiter.TryAcquire(a) && limiter.TryAcquire(a)); // a returning device starts with a full bucket
        Assert.Throws<ArgumentException>(() => limiter.TryAcquire("not-a-hash"));
    }

    [Fact]
    public async Task The_key_index_keeps_a_sending_device_found_and_asks_again_only_after_it_went_quiet()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var lookups = 0;
        var (known, unknown) = (DeviceKeys.Hash("known-device-key"), DeviceKeys.Hash("unknown-device-key"));
        var index = new ProjectedDeviceKeys((hash, _) =>
        {
            lookups++;
            return Task.FromResult(hash == known ? "gauge-1" : null);
        }, clock);
        async Task<string?> After(int seconds, string hash)
        {
            clock.Advance(TimeSpan.FromSeconds(seconds));
            return await index.SensorOfAsync(hash, CancellationToken.None);
        }

        Assert.Equal("gauge-1", await After(0, known));
        Assert.Equal(1, lookups);
        // A device keeping to the longest expected interval (15 min) stays found for hours: no query per reading, and no
        // burst of queries when a fleet found together would otherwise expire together.
        for (var i = 0; i < 10; i++) Assert.Equal("gauge-1", await After(15 * 60, known));
        Assert.Equal(1, lookups);
        Assert.Equal("gauge-1", await After((int)ProjectedDeviceKeys.Remember.TotalSeconds + 1, known)); // quiet for longer: asked again
        Assert.Equal(2, lookups);
        Assert.Null(await After(0, unknown));
        Assert.Null(await After(0, unknown)); // an unknown key is never remembered
        Assert.Equal(4, lookups);
        Assert.Null(await After(0, "not-a-hash")); // no key hashes to that: not even asked
        Assert.Equal(4, lookups);
        index.Forget(known); // its sensor refused it (rotated or revoked)
        Assert.Equal("gauge-1", await After(1, known));
        Assert.Equal(5, lookups);
    }

    [Fact]
    public void Wire_names_are_kebab_case_and_an_undefined_value_still_gets_one()
    {
        Assert.Equal("supplement-requested", WireNames.Of(CaseStatus.SupplementRequested));
        foreach (var kind in Enum.GetValues<SensorKind>())
            Assert.Equal(System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString()), WireNames.Of(kind));
        Assert.Equal("99", WireNames.Of((SensorKind)99));
        Assert.Equal(SensorKind.Pm25, WireNames.Parse<SensorKind>(WireNames.Of(SensorKind.Pm25)));
    }
}
