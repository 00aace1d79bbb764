using System.Net;
using System.Text;
using HueGrains.Api;
using HueGrains.Api.Auth;
using Microsoft.AspNetCore.Routing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HueGrains.Tests.Http;

/// <summary>What the platform tells a client without the right to know: metrics, token failures, type names, host names, tokens in URLs.</summary>
[Collection(ApiCollection.Name)]
public class WhatStrangersSeeTests(ApiFixture api)
{
    private static readonly string[] TypeNamespaces = ["System.", "Microsoft.", "HueGrains.", "Orleans."];

    [Fact]
    public async Task Metrics_answer_operators_only()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Leader, "19753").GetAsync("/metrics")).StatusCode);
        var scraped = await api.As(Roles.Operator).GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("# TYPE", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_token_is_told_invalid_token_and_nothing_about_why()
    {
        var now = DateTime.UtcNow;
        string Token(string key, DateTime expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = api.Auth.Issuer,
            Audience = api.Auth.Audience,
            Claims = new Dictionary<string, object> { [HueClaims.Role] = Roles.Operator, [HueClaims.Subject] = "op-1" },
            NotBefore = expires.AddMinutes(-30),
            IssuedAt = expires.AddMinutes(-30),
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(key)), SecurityAlgorithms.HmacSha256),
        });
        var otherKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));
        foreach (var token in new[] { Token(otherKey, now.AddMinutes(10)), Token(api.Auth.SigningKey!, now.AddMinutes(-10)), "not.a.token" })
        {
            var response = await api.WithToken(token).PostAsync("/api/v1/communes/19753/reconcile", null);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task No_problem_names_a_dotnet_type_whatever_the_body_or_query()
    {
        string[] bodies = ["{\"latitude\":\"north\",\"value\":\"x\",\"at\":true,\"readings\":5}", "{\"readings\":[{\"at\":1,\"value\":\"high\"}]}",
            "[1,2]", "[{\"bn\":5,\"v\":\"x\",\"t\":\"now\"}]", "{\"rating\":\"five\",\"consents\":7,\"dateOfBirth\":1}", "{", "\"text\"", "{\"status\":[]}"];
        const string Query = "?from=yesterday&to=1e999&limit=many&date=someday&open=perhaps&bucket=7&lastEventId=x-y-z";
        var endpoints = ((IEndpointRouteBuilder)api.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } p && !p.StartsWith("/dashboard", StringComparison.Ordinal) && p != "/api/v1/live").ToList();
        var leaks = new List<string>();
        var problems = 0;
        foreach (var endpoint in endpoints)
        {
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods[0] ?? "GET";
            var path = System.Text.RegularExpressions.Regex.Replace(endpoint.RoutePattern.RawText!, @"\{(\w+)[^}]*\}", m => m.Groups[1].Value switch
            {
                "format" => "json", "code" => "19753", "id" => $"t-{Guid.NewGuid():N}", _ => "x",
            }) + Query;
            var client = ClientFor(AuthorizationMatrixTests.ExpectedOf(AuthorizationMatrixTests.KeyOf(endpoint)));
            foreach (var (body, type) in method is "GET" or "DELETE" ? [(null, null)] : bodies.Select(b => ((string?)b, (string?)"application/json")).Append(("x=1", "text/plain")))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, type!);
                using var response = await client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                if (response.Content.Headers.ContentType?.MediaType == "application/problem+json") problems++;
                if ((int)response.StatusCode >= 400 && TypeNamespaces.FirstOrDefault(n => text.Contains(n, StringComparison.Ordinal)) is { } leak)
                    leaks.Add($"{method} {path} {body} → {(int)response.StatusCode} names {leak}: {text}");
            }
        }
        Assert.True(problems > 100, $"only {problems} problems answered");
        Assert.True(leaks.Count == 0, string.Join("\n", leaks.Take(10)));
    }

    private HttpClient ClientFor(string expected)
    {
        var roles = expected.Split(' ');
        var role = roles.Contains(Roles.Operator) ? Roles.Operator : roles.FirstOrDefault(r => r is not "anonymous" and not Roles.Device);
        return role is null ? api.Anonymous : api.As(role, "19753", role == Roles.Citizen ? Keys.NewCitizenId() : null);
    }

    [Fact]
    public async Task Open311_and_the_catalogue_link_to_the_configured_address_whatever_the_Host_header()
    {
        static HttpRequestMessage Spoofed(string path) => new(HttpMethod.Get, path) { Headers = { Host = "attacker.example" } };
        var discovery = await (await api.Anonymous.SendAsync(Spoofed("/open311/v2/discovery.json"))).Json();
        Assert.Equal($"{ApiFixture.PublicBaseUrl}/open311/v2", discovery.GetProperty("endpoints")[0].GetProperty("url").GetString());
        var catalogue = await api.Anonymous.SendAsync(Spoofed("/opendata/"));
        var text = await catalogue.Content.ReadAsStringAsync();
        Assert.DoesNotContain("attacker.example", text, StringComparison.Ordinal);
        Assert.Equal($"{ApiFixture.PublicBaseUrl}/opendata/", System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("@id").GetString());

        // Unset: a fixed local address, never the request's.
        Assert.Equal("http://localhost:5080/opendata", new PublicBaseUrlOptions().Resolve("/opendata"));
        Assert.Equal("https://hue.example/city/opendata", new PublicBaseUrlOptions { PublicBaseUrl = "https://hue.example/city/" }.Resolve("/opendata"));
        Assert.False(new PublicBaseUrlOptions { PublicBaseUrl = "javascript:alert(1)" }.IsValid());
        Assert.False(new PublicBaseUrlOptions { PublicBaseUrl = "/relative" }.IsValid());
    }

    [Fact]
    public async Task The_dashboard_keeps_only_a_valid_token_and_takes_it_out_of_the_address()
    {
        var garbage = await api.Anonymous.GetAsync("/dashboard/?access_token=garbage.token.here");
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        Assert.False(garbage.Headers.Contains("Set-Cookie"));

        var token = TokenIssuer.Issue(api.Auth, Roles.Operator);
        var valid = await api.Anonymous.GetAsync($"/dashboard/?view=grains&access_token={Uri.EscapeDataString(token)}");
        Assert.Equal(HttpStatusCode.SeeOther, valid.StatusCode);
        var location = valid.Headers.Location!.OriginalString;
        Assert.Equal("/dashboard/?view=grains", location);
        var cookie = Assert.Single(valid.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("hue_operator=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);

        using var followed = new HttpRequestMessage(HttpMethod.Get, location) { Headers = { { "Cookie", cookie.Split(';')[0] } } };
        Assert.Equal(HttpStatusCode.OK, (await api.Anonymous.SendAsync(followed)).StatusCode);
    }
}
