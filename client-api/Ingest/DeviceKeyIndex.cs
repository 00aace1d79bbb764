using System.Collections.Concurrent;

namespace HueGrains.Api.Ingest;

/// <summary>
/// Which sensor a device key belongs to, answered without activating any sensor grain: the edges (HTTP, SenML, MQTT)
/// ask this before calling a sensor, so a made-up key or a stranger's sensor id costs no activation.
/// </summary>
public interface IDeviceKeyIndex
{
    /// <summary>The sensor whose device key has this SHA-256 (hex), or null for an unknown or revoked key.</summary>
    ValueTask<string?> SensorOfAsync(string deviceKeyHash, CancellationToken ct);

    /// <summary>Forgets a key its sensor refused (rotated or revoked): the next message with it asks the projection.</summary>
    void Forget(string deviceKeyHash);
}

/// <summary>
/// Reads the sensors' projection (its key-hash column) through the stateless projections grain, and remembers a found
/// key while its device keeps sending (for <see cref="Remember"/> after it was last found or refreshed). A key rotated
/// or revoked meanwhile is still refused: the sensor grain checks it again on every ingest, and the refusal makes the
/// index forget it (<see cref="DeviceIngest"/>). Unknown keys are not
/// remembered, so a sensor provisioned a moment ago is found at once.
/// </summary>
public sealed class ProjectedDeviceKeys : IDeviceKeyIndex
{
    /// <summary>
    /// Longer than the longest expected interval between a sensor's readings (5 to 15 minutes by kind): a device that
    /// keeps to its interval is found here, not by a grain call and a query. With a minute, as before, almost every
    /// reading of a real city asked the projection (measured: PostgreSQL 110-250 µs per W1b reading once the devices had
    /// been quiet for a minute, 24 µs while they were remembered). The index is a first filter: the sensor grain refuses
    /// a rotated or revoked key on every ingest whatever the index remembers, and the refusal makes the index forget it.
    /// </summary>
    public static readonly TimeSpan Remember = TimeSpan.FromMinutes(20);

    /// <summary>A million devices, about 130 B each (W4 counts them per sensor); a larger active fleet asks the projection more often, never fails.</summary>
    private const int MaxRemembered = 1_000_000;

    private readonly Func<string, CancellationToken, Task<string?>> _lookup;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<KeyDigest, (string Sensor, DateTimeOffset Until)> _found = new();
    private int _trimming;

    public ProjectedDeviceKeys(IGrainFactory grains, TimeProvider clock)
        : this((hash, ct) => grains.Projections().SensorOfKey(hash, ct), clock)
    {
    }

    /// <summary>For tests: finds a key with <paramref name="lookup"/> instead of the projections grain.</summary>
    public ProjectedDeviceKeys(Func<string, CancellationToken, Task<string?>> lookup, TimeProvider clock) => (_lookup, _clock) = (lookup, clock);

    public async ValueTask<string?> SensorOfAsync(string deviceKeyHash, CancellationToken ct)
    {
        if (!KeyDigest.TryParse(deviceKeyHash, out var digest)) return null; // no sensor's key hashes to that
        var now = _clock.GetUtcNow();
        if (_found.TryGetValue(digest, out var known) && known.Until > now)
        {
            // Refreshed past half its time, not on every hit: otherwise a whole fleet found together (a restart, a
            // provisioning) would expire together and query the projection in one burst every Remember.
            // TryUpdate: a key forgotten meanwhile (refused by its sensor) stays forgotten.
            if (known.Until - now < Remember / 2) _found.TryUpdate(digest, (known.Sensor, now + Remember), known);
            return known.Sensor;
        }
        var sensor = await _lookup(digest.ToString(), ct); // as stored: lowercase hex
        if (sensor is null)
        {
            _found.TryRemove(digest, out _);
            return null;
        }
        if (_found.Count >= MaxRemembered) Trim(now);
        _found[digest] = (sensor, now + Remember);
        return sensor;
    }

    public void Forget(string deviceKeyHash)
    {
        if (KeyDigest.TryParse(deviceKeyHash, out var digest)) _found.TryRemove(digest, out _);
    }

    /// <summary>
    /// On one caller at a time: drops the expired keys, then any others down to nine tenths of the cap, so that the misses
    /// after a trim do not each scan a million entries again.
    /// </summary>
    private void Trim(DateTimeOffset now)
    {
        if (Interlocked.Exchange(ref _trimming, 1) == 1) return;
        try
        {
            foreach (var (hash, known) in _found)
            {
                if (known.Until <= now) _found.TryRemove(hash, out _);
            }
            var excess = _found.Count - MaxRemembered / 10 * 9;
            foreach (var (hash, _) in _found)
            {
                if (excess-- <= 0) break;
                _found.TryRemove(hash, out _);
            }
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }
}
