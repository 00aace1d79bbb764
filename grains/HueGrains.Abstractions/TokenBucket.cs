namespace HueGrains;

/// <summary>
/// A token bucket on the caller's clock: holds up to <c>burst</c> tokens and refills <c>perSecond</c> a second. Not
/// thread-safe: a grain's turn owns it, or the caller locks it.
/// </summary>
public sealed class TokenBucket(int perSecond, int burst)
{
    private double _tokens = burst;
    private DateTimeOffset? _at;

    /// <summary>When a token was last asked for (null: never).</summary>
    public DateTimeOffset? LastUsed => _at;

    /// <summary>Takes one token; false (and the seconds until one is back) when the bucket is empty.</summary>
    public bool TryTake(DateTimeOffset now, out int retryAfterSeconds)
    {
        if (_at is { } at && now > at) _tokens = Math.Min(burst, _tokens + (now - at).TotalSeconds * perSecond);
        _at = _at is { } last && last > now ? last : now;
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
