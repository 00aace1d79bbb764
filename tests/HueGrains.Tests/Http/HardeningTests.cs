using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using HueGrains.Api;
using HueGrains.Api.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HueGrains.Tests.Http;

/// <summary>A platform with tight per-client limits, one allowed browser origin and a signing key rotated once.</summary>
public sealed class HardenedPlatformFixture : IAsyncLifetime
{
    public const string Origin = "https://ioc.hue.gov.vn";

    /// <summary>The one reverse proxy whose X-Forwarded-For is believed.</summary>
    public const string Proxy = "10.0.0.1";

    public string PreviousKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public HueAuthOptions Auth { get; } = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };

    public WebApplication App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await TestPlatform.StartAsync(new()
    {
        ["Hue:Auth:SigningKey"] = Auth.SigningKey,
        ["Hue:Auth:PreviousSigningKeys:0"] = PreviousKey,
        ["Hue:RateLimit:PermitsPerSecond"] = "5",
        ["Hue:RateLimit:Burst"] = "10",
        ["Hue:Ingest:DeviceMessagesPerSecond"] = "5",
        ["Hue:Ingest:DeviceBurst"] = "10",
        ["Hue:Cors:Origins:0"] = Origin,
        ["Hue:Http:KnownProxies:0"] = Proxy,
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

    /// <summary>A request as it arrives from <paramref name="address"/>, with headers set by <paramref name="headers"/>.</summary>
    private async Task<HttpStatusCode> FromAsync(string address, string method, string path, Action<IHeaderDictionary>? headers = null, string? json = null)
    {
        var context = await platform.App.GetTestServer().SendAsync(http =>
        {
            http.Connection.RemoteIpAddress = IPAddress.Parse(address);
            http.Request.Method = method;
            http.Request.Path = path;
            headers?.Invoke(http.Request.Headers);
            if (json is not null)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(json);
                http.Request.ContentType = "application/json";
                http.Request.ContentLength = bytes.Length;
                http.Request.Body = new MemoryStream(bytes);
                http.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>(new HasBody());
            }
        });
        return (HttpStatusCode)context.Response.StatusCode;
    }

    private sealed class HasBody : Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }

    private static string AnAddress() => $"192.0.2.{Random.Shared.Next(1, 255)}";

    [Fact]
    public async Task A_device_has_its_own_bucket_so_its_flood_spares_public_reads_from_its_address()
    {
        var id = $"t-{Guid.NewGuid():N}";
        var created = await platform.Client(Token(Roles.Operator)).PutAsJsonAsync($"/api/v1/sensors/{id}",
            new { kind = "water-level", unit = "m", commune = "19753", latitude = 16.46, longitude = 107.57 }, HueJson.Options);
        var key = (await created.Json()).GetProperty("deviceKey").GetString()!;
        var address = AnAddress();
        var start = DateTimeOffset.UtcNow.AddMinutes(-3);
        var device = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            var reading = System.Text.Json.JsonSerializer.Serialize(new { at = start.AddSeconds(i), value = 1.0 }, HueJson.Options);
            device.Add(await FromAsync(address, "POST", $"/api/v1/sensors/{id}/readings", h => h[DeviceKeyAuthentication.Header] = key, reading));
        }
        Assert.Contains(HttpStatusCode.Accepted, device);
        Assert.Contains(HttpStatusCode.TooManyRequests, device); // the device's own quota ran dry
        Assert.Equal(HttpStatusCode.OK, await FromAsync(address, "GET", "/api/v1/city")); // not the address's bucket
        Assert.Equal(HttpStatusCode.OK, await FromAsync(address, "GET", "/api/v1/procedures"));

        // Elsewhere the device key has a bucket of its own (client limits, 10 at once here): it runs dry, the address's does not.
        var reads = new List<HttpStatusCode>();
        for (var i = 0; i < 15; i++) reads.Add(await FromAsync(address, "GET", "/api/v1/city", h => h[DeviceKeyAuthentication.Header] = key));
        Assert.Contains(HttpStatusCode.TooManyRequests, reads);
        Assert.Equal(HttpStatusCode.OK, await FromAsync(address, "GET", "/api/v1/city"));
    }

    [Fact]
    public async Task X_Forwarded_For_names_the_client_only_when_a_known_proxy_sends_it()
    {
        async Task<List<HttpStatusCode>> Burst(string from, Func<int, string> client)
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 15; i++) statuses.Add(await FromAsync(from, "GET", "/api/v1/procedures", h => h["X-Forwarded-For"] = client(i)));
            return statuses;
        }
        var greedy = AnAddress();
        Assert.Contains(HttpStatusCode.TooManyRequests, await Burst(HardenedPlatformFixture.Proxy, _ => greedy));
        Assert.All(await Burst(HardenedPlatformFixture.Proxy, i => $"198.51.100.{i + 1}"), s => Assert.Equal(HttpStatusCode.OK, s)); // each its own client

        // From anyone else the header is ignored: changing it does not buy a new bucket.
        Assert.Contains(HttpStatusCode.TooManyRequests, await Burst(AnAddress(), i => $"203.0.113.{i + 1}"));
    }
}
