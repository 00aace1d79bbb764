using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HueGrains.Api.Auth;

/// <summary>Mints tokens with the configured key: for development, tests and the <c>token</c> command.</summary>
public static class TokenIssuer
{
    public static string Issue(HueAuthOptions options, string role, string? commune = null, string? citizenId = null, TimeSpan? lifetime = null)
    {
        var claims = new List<Claim> { new(HueClaims.Role, role), new(HueClaims.Subject, citizenId ?? $"{role}-{Guid.NewGuid():N}") };
        if (commune is not null) claims.Add(new Claim(HueClaims.Commune, commune));
        if (citizenId is not null) claims.Add(new Claim(HueClaims.Citizen, citizenId));
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = now.AddSeconds(-5),
            Expires = now + (lifetime ?? options.TokenLifetime),
            SigningCredentials = new SigningCredentials(SigningKeys.Resolve(options), SecurityAlgorithms.HmacSha256),
        });
    }
}
