using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HueGrains.Api.Auth;

public static class TokenLifetimes
{
    /// <summary>Not expired, already valid, and not claiming a lifetime longer than the platform allows.</summary>
    public static bool Valid(DateTime? notBefore, DateTime? expires, SecurityToken token, TimeSpan maxLifetime, TimeSpan skew)
    {
        if (expires is null) return false;
        var now = DateTime.UtcNow;
        if (expires.Value.ToUniversalTime() + skew < now) return false;
        if (notBefore is { } nbf && nbf.ToUniversalTime() - skew > now) return false;
        var issued = notBefore ?? (token as JsonWebToken)?.IssuedAt;
        var start = issued is { } at && at != DateTime.MinValue ? at.ToUniversalTime() : now;
        return expires.Value.ToUniversalTime() - start <= maxLifetime + skew;
    }
}
