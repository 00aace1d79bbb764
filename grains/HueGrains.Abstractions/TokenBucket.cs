namespace HueGrains;

/// <summary>
/// A token bucket on the caller's clock: holds up to <c>burst</c> tokens and refills <c>perSecond</c> a second. A
/// struct, held inline by its owner (a sensor grain has one): not thread-safe, a grain's turn owns it or the caller
/// locks what holds it.
/// </summary>
public struct TokenBucket(int perSecond, int burst)
{
    private double _tokens = burst;
    private long _atTicks; // UTC ticks of the last ask; 0: never

    /// <summary>When a token was last asked for (null: never).</summary>
    public readonly DateTimeOffset? LastUsed => _atTicks == 0 ? null : new DateTimeOffset(_atTicks, TimeSpan.Zero);

    /// <summary>Takes one token; false (and the seconds until one is back) when the bucket is empty.</summary>
    public bool TryTake(DateTimeOffset now, out int retryAfterSeconds)
    {
        var ticks = now.UtcTicks;
        if (_atTicks != 0 && ticks > _atTicks) _tokens = Math.Min(burst, _tokens + (double)(ticks - _atTicks) / TimeSpan.TicksPerSecond * perSecond);
        _atTicks = Math.Max(_atTicks, ticks);
        retryAfterSeconds = 0;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            return true;
        }
        retryAfterSeconds = Math.Max(1, (int)Math.Ceiling((1 - _tokens) / perSecond));
        return false;
    }
}
