using System.Net;
using System.Security.Claims;
using HueGrains.Api.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HueGrains.Tests.Http;

/// <summary>The platform signs with HS256 and accepts nothing else: not another HMAC with the same key, never "none".</summary>
[Collection(ApiCollection.Name)]
public class TokenAlgorithmTests(ApiFixture api)
{
    /// <summary>An operator token with valid claims, signed with the platform's own key by the given algorithm.</summary>
    private string Signed(string algorithm) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = api.Auth.Issuer,
        Audience = api.Auth.Audience,
        Subject = new ClaimsIdentity([new(HueClaims.Role, Roles.Operator), new(HueClaims.Subject, $"operator-{Guid.NewGuid():N}")]),
        NotBefore = DateTime.UtcNow.AddSeconds(-5),
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(api.Auth.SigningKey!)), algorithm),
    });

    /// <summary>The same claims unsigned ("alg":"none"): header.payload. with an empty signature.</summary>
    private string Unsigned()
    {
        var now = DateTimeOffset.UtcNow;
        static string Part(object value) => Base64UrlEncoder.Encode(System.Text.Json.JsonSerializer.Serialize(value));
        return Part(new { alg = "none", typ = "JWT" }) + "." + Part(new Dictionary<string, object>
        {
            [HueClaims.Role] = Roles.Operator,
            [HueClaims.Subject] = $"operator-{Guid.NewGuid():N}",
            ["iss"] = api.Auth.Issuer,
            ["aud"] = api.Auth.Audience,
            ["nbf"] = now.AddSeconds(-5).ToUnixTimeSeconds(),
            ["iat"] = now.AddSeconds(-5).ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        }) + ".";
    }

    private async Task<HttpStatusCode> StatusAsync(string token) =>
        (await api.WithToken(token).PostAsync("/api/v1/communes/19753/reconcile", null)).StatusCode;

    [Fact]
    public async Task Only_HS256_is_accepted_HS384_and_HS512_with_the_same_key_and_unsigned_tokens_get_401()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(Signed(SecurityAlgorithms.HmacSha256)));
        (string Alg, string Token)[] refused =
        [
            ("HS512", Signed(SecurityAlgorithms.HmacSha512)),
            ("HS384", Signed(SecurityAlgorithms.HmacSha384)),
            ("HS512 by its XML-DSig name", Signed(SecurityAlgorithms.HmacSha512Signature)),
            ("none", Unsigned()),
            ("none with a made-up signature", Unsigned() + "AAAA"),
        ];
        var failures = new List<string>();
        foreach (var (alg, token) in refused)
        {
            var status = await StatusAsync(token);
            if (status != HttpStatusCode.Unauthorized) failures.Add($"{alg}: {(int)status}");
        }
        Assert.Empty(failures);
    }
}
