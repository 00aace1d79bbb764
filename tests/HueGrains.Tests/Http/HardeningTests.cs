using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using HueGrains.Api.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HueGrains.Tests.Http;

/// <summary>A platform with tight per-client limits, one allowed browser origin and a signing key rotated once.</summary>
public sealed class HardenedPlatformFixture : IAsyncLifetime
{
    public const string Origin = "https://ioc.hue.gov.vn";

    public string PreviousKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public HueAuthOptions Auth { get; } = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };

    public WebApplication App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await TestPlatform.StartAsync(new()
    {
        ["Hue:Auth:SigningKey"] = Auth.SigningKey,
        ["Hue:Auth:PreviousSigningKeys:0"] = PreviousKey,
        ["Hue:RateLimit:PermitsPerSecond"] = "5",
        ["Hue:RateLimit:Burst"] = "10",
        ["Hue:Cors:Origins:0"] = Origin,
        ["Hue:Mqtt:Enabled"] = "false",
        ["Hue:Dashboard"] = "false",
    });

    public HttpClient Client(string? token = null)
    {
        var client = App.GetTestClient();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public Task DisposeAsync() => TestPlatform.StopAsync(App);
}

// In the API collection, not beside it: hosts in one process share meter names, and the metrics test reads the API
// fixture's live gauges, which a parallel host could shadow.
[Collection(ApiCollection.Name)]
public class HardeningTests(HardenedPlatformFixture platform) : IClassFixture<HardenedPlatformFixture>
{
    private string Token(string role, string? key = null, string? issuer = null, string? audience = null, DateTime? notBefore = null, DateTime? expires = null)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? platform.Auth.Issuer,
            Audience = audience ?? platform.Auth.Audience,
            Subject = new ClaimsIdentityWith(role),
            NotBefore = notBefore ?? now.AddSeconds(-5),
            Expires = expires ?? now.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(key ?? platform.Auth.SigningKey!)), SecurityAlgorithms.HmacSha256),
        });
    }

    private sealed class ClaimsIdentityWith(string role) : System.Security.Claims.ClaimsIdentity(
        [new(HueClaims.Role, role), new(HueClaims.Subject, $"{role}-{Guid.NewGuid():N}")]);

    private async Task<HttpStatusCode> StatusAsync(string token) =>
        (await platform.Client(token).PostAsync("/api/v1/communes/19753/reconcile", null)).StatusCode;

    [Fact]
    public async Task Each_client_has_its_own_quota_and_a_429_says_when_to_retry()
    {
        var greedy = platform.Client(Token(Roles.Leader));
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 30; i++) statuses.Add(await greedy.GetAsync("/api/v1/procedures"));
        var refused = statuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(statuses.Count(r => r.IsSuccessStatusCode), 10, 15); // the burst, and what refilled meanwhile
        Assert.NotEmpty(refused);
        Assert.True(int.Parse(refused[0].Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("application/problem+json", refused[0].Content.Headers.ContentType?.MediaType);

        Assert.Equal(HttpStatusCode.OK, (await platform.Client(Token(Roles.Leader)).GetAsync("/api/v1/procedures")).StatusCode); // another client
        Assert.Equal(HttpStatusCode.OK, (await greedy.GetAsync("/health/live")).StatusCode); // probes are never limited
    }

    [Fact]
    public async Task Tokens_are_checked_for_signature_issuer_audience_and_lifetime_and_a_rotated_key_still_works()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(Token(Roles.Operator)));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(Token(Roles.Operator, key: platform.PreviousKey))); // issued before the rotation
        var stranger = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(Token(Roles.Operator, key: stranger)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(Token(Roles.Operator, issuer: "someone-else")));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(Token(Roles.Operator, audience: "another-api")));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(Token(Roles.Operator, notBefore: DateTime.UtcNow.AddHours(-3), expires: DateTime.UtcNow.AddHours(-2))));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(Token(Roles.Operator, expires: DateTime.UtcNow.AddDays(30)))); // longer than allowed
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(Token(Roles.Operator)[..^4] + "AAAA")); // tampered signature
    }

    [Fact]
    public async Task Answers_carry_security_headers_and_browsers_get_CORS_only_where_allowed()
    {
        var page = await platform.Client().GetAsync("/");
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        async Task<string?> AllowedOrigin(string path, string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("Origin", origin);
            var response = await platform.Client().SendAsync(request);
            return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
        }
        Assert.Equal(HardenedPlatformFixture.Origin, await AllowedOrigin("/api/v1/city", HardenedPlatformFixture.Origin));
        Assert.Null(await AllowedOrigin("/api/v1/city", "https://evil.example"));
        Assert.Equal("*", await AllowedOrigin("/opendata/", "https://researcher.example")); // open data is for anyone's page
        Assert.Equal("*", await AllowedOrigin("/open311/v2/services.json", "https://app.example"));

    }
}
