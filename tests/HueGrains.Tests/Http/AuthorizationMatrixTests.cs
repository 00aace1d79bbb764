using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using HueGrains.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HueGrains.Tests.Http;

/// <summary>
/// Every endpoint the app maps × every role: the expected allow/deny is written here, the actual one is computed from
/// the endpoint's own authorization metadata and checked over HTTP. A new endpoint fails this test until it has both a
/// policy (or an explicit AllowAnonymous) and a row below.
/// </summary>
[Collection(ApiCollection.Name)]
public partial class AuthorizationMatrixTests(ApiFixture api)
{
    private static readonly string[] AllRoles = ["anonymous", Roles.Citizen, Roles.Official, Roles.Leader, Roles.Operator, Roles.Device];

    private const string Public = "anonymous citizen official leader operator device";
    private const string Staff = "official leader operator";

    /// <summary>Who may call each endpoint (by policy; the grains then check ownership: whose case, which commune).</summary>
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["GET /openapi/{documentName}.json"] = Public,
        ["* /health/live"] = Public,
        ["* /health/ready"] = Public,
        ["* /metrics"] = "operator",
        ["GET /"] = Public,
        ["GET /ui/{file}"] = Public,
        ["GET /scalar/scalar.js"] = Public,
        ["GET /scalar/scalar.aspnetcore.js"] = Public,
        ["GET /scalar/favicon.svg"] = Public,
        ["GET /scalar/{documentName?}"] = Public,
        ["GET /api/v1/city"] = Public,
        ["GET /api/v1/communes"] = Public,
        ["GET /api/v1/communes/{code}"] = Public,
        ["GET /api/v1/procedures"] = Public,
        ["GET /api/v1/city/history"] = Public,
        ["GET /api/v1/communes/{code}/history"] = Public,
        ["GET /api/v1/live"] = Public,
        ["GET /api/v1/changes"] = Public, // dossiers inside only for their officials (ChangeFeedApiTests)
        ["GET /api/v1/alerts"] = Public,
        ["PUT /api/v1/communes/{code}/boundary"] = "operator",
        ["GET /api/v1/communes/{code}/boundary"] = Public,
        ["GET /api/v1/communes.geojson"] = Public,
        ["GET /api/v1/sensors/"] = Public,
        ["GET /api/v1/feedback/"] = Public,
        // Any platform token (not a device key); what it receives is what it may read, and only its creator sees it.
        ["POST /api/v1/subscriptions/"] = "citizen official leader operator",
        ["GET /api/v1/subscriptions/{id}"] = "citizen official leader operator",
        ["POST /api/v1/subscriptions/{id}/resume"] = "citizen official leader operator",
        ["POST /api/v1/subscriptions/{id}/test"] = "citizen official leader operator",
        ["DELETE /api/v1/subscriptions/{id}"] = "citizen official leader operator",
        ["POST /api/v1/communes/{code}/reconcile"] = "operator",
        ["GET /api/v1/communes/{code}/cases"] = Staff,
        ["GET /api/v1/communes/{code}/feedback"] = Staff,
        ["GET /api/v1/feedback-triage"] = Staff,
        ["PUT /api/v1/sensors/{id}"] = "operator",
        ["GET /api/v1/sensors/{id}"] = Public,
        ["POST /api/v1/sensors/{id}/readings"] = "operator device",
        ["POST /api/v1/readings"] = "operator device",
        ["GET /api/v1/sensors/{id}/readings"] = Public,
        ["POST /api/v1/sensors/"] = "operator",
        ["POST /api/v1/sensors/{id}/key"] = "operator",
        ["DELETE /api/v1/sensors/{id}/key"] = "operator",
        ["GET /api/v1/sensors/{id}/alerts/"] = Public,
        ["POST /api/v1/sensors/{id}/alerts/{rule}/acknowledge"] = "official operator",
        ["POST /api/v1/citizens/"] = "citizen official",
        ["GET /api/v1/citizens/{id}"] = "citizen official",
        ["PATCH /api/v1/citizens/{id}"] = "citizen official",
        ["GET /api/v1/citizens/{id}/versions"] = "citizen official",
        ["GET /api/v1/citizens/{id}/cases"] = "citizen official",
        ["POST /api/v1/citizens/{id}/counter-codes"] = "citizen official",
        ["GET /api/v1/citizens/{id}/feedback"] = "citizen official",
        ["PUT /api/v1/citizens/{id}/consents"] = "citizen official",
        ["GET /api/v1/citizens/{id}/audit"] = "citizen official",
        ["GET /api/v1/citizens/{id}/forms/{procedure}"] = "citizen official",
        ["PUT /api/v1/citizens/{id}/follows/{feedbackId}"] = "citizen official",
        ["DELETE /api/v1/citizens/{id}/follows/{feedbackId}"] = "citizen official",
        ["GET /api/v1/citizens/{id}/places"] = "citizen official",
        ["POST /api/v1/citizens/{id}/places"] = "citizen official",
        ["DELETE /api/v1/citizens/{id}/places/{placeId}"] = "citizen official",
        ["GET /api/v1/citizens/{id}/notifications"] = "citizen official",
        ["POST /api/v1/citizens/{id}/notifications/read"] = "citizen official",
        ["GET /api/v1/citizens/{id}/notifications/live"] = "citizen official",
        ["POST /api/v1/cases/"] = "citizen official",
        ["GET /api/v1/cases/{id}"] = "citizen official",
        ["POST /api/v1/cases/{id}/status"] = "citizen official",
        ["POST /api/v1/feedback/"] = "citizen",
        ["GET /api/v1/feedback/{id}"] = Public,
        ["POST /api/v1/feedback/{id}/status"] = "official",
        ["POST /api/v1/feedback/{id}/rating"] = "citizen",
        ["POST /api/v1/feedback/{id}/reopen"] = "citizen",
        ["POST /api/v1/feedback/{id}/route"] = Staff,
        ["POST /api/v1/feedback/{id}/duplicate-of"] = "official",
        ["POST /api/v1/feedback/{id}/photos/"] = "citizen official",
        ["GET /api/v1/feedback/{id}/photos/{photoId}"] = Public,
        ["GET /api/v1/feedback/{id}/photos/{photoId}/thumbnail"] = Public,
        ["POST /api/v1/feedback/{id}/photos/{photoId}/hide"] = Staff,
        ["GET /open311/v2/discovery.{format}"] = Public,
        ["GET /open311/v2/services.{format}"] = Public,
        ["GET /open311/v2/services/{code}.{format}"] = Public,
        ["POST /open311/v2/requests.{format}"] = Public, // the api_key decides
        ["GET /open311/v2/requests.{format}"] = Public,
        ["GET /open311/v2/requests/{id}.{format}"] = Public,
        ["GET /open311/v2/tokens/{token}.{format}"] = Public,
        ["GET /opendata/"] = Public,
        ["GET /opendata/{dataset}.{format}"] = Public,
    };

    /// <summary>Endpoints anyone may call ("METHOD /path", as the matrix names them): the OpenAPI document must mark them public.</summary>
    internal static IEnumerable<string> PublicEndpoints => Expected.Where(e => e.Value == Public).Select(e => e.Key);

    /// <summary>The Orleans dashboard's own pages and APIs, whatever they are: operators only.</summary>
    private const string DashboardPrefix = "GET /dashboard/";

    private IEnumerable<RouteEndpoint> Endpoints =>
        ((IEndpointRouteBuilder)api.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>();

    internal static string KeyOf(RouteEndpoint e) =>
        $"{string.Join(",", e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])} {e.RoutePattern.RawText}";

    internal static string ExpectedOf(string key) =>
        Expected.TryGetValue(key, out var roles) ? roles
        : key.StartsWith(DashboardPrefix, StringComparison.Ordinal) ? "operator"
        : throw new Xunit.Sdk.XunitException($"Endpoint '{key}' has no row in the authorization matrix: decide who may call it.");

    private static ClaimsPrincipal Principal(string role) => role switch
    {
        "anonymous" => new ClaimsPrincipal(new ClaimsIdentity()),
        Roles.Device => new ClaimsPrincipal(new ClaimsIdentity([new(HueClaims.Role, Roles.Device), new(HueClaims.DeviceKeyHash, "00")],
            DeviceKeyAuthentication.Scheme, HueClaims.Subject, HueClaims.Role)),
        _ => new ClaimsPrincipal(new ClaimsIdentity(
            [new(HueClaims.Role, role), new(HueClaims.Subject, $"{role}-1"), new(HueClaims.Commune, "19753"), new(HueClaims.Citizen, Keys.NewCitizenId())],
            "Bearer", HueClaims.Subject, HueClaims.Role)),
    };

    private async Task<bool> AllowsAsync(RouteEndpoint endpoint, string role)
    {
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null) return true;
        var services = api.App.Services;
        var policy = await AuthorizationPolicy.CombineAsync(services.GetRequiredService<IAuthorizationPolicyProvider>(),
            endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>(), endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>());
        return (await services.GetRequiredService<IAuthorizationService>().AuthorizeAsync(Principal(role), policy!)).Succeeded;
    }

    [Fact]
    public async Task Every_endpoint_has_a_policy_and_each_role_is_allowed_or_denied_as_the_matrix_says()
    {
        var endpoints = Endpoints.ToList();
        Assert.True(endpoints.Count >= Expected.Count, "the app maps fewer endpoints than the matrix names");
        var mismatches = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var key = KeyOf(endpoint);
            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null && endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Count == 0)
                mismatches.Add($"{key}: no policy and no explicit AllowAnonymous");
            var allowed = ExpectedOf(key).Split(' ');
            foreach (var role in AllRoles)
            {
                if (await AllowsAsync(endpoint, role) != allowed.Contains(role))
                    mismatches.Add($"{key} as {role}: expected {(allowed.Contains(role) ? "allow" : "deny")}");
            }
        }
        Assert.Empty(mismatches);
        Assert.Empty(Expected.Keys.Except(endpoints.Select(KeyOf))); // no stale rows
    }

    [GeneratedRegex(@"\{\*{0,2}(?<name>[a-zA-Z]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    private static string Sample(string pattern) => RouteParameter().Replace(pattern, m => m.Groups["name"].Value switch
    {
        "code" => "19753",
        "format" => "json",
        "file" => "app.js",
        "documentName" => "v1",
        "procedure" => "certified-copy",
        "rule" => "threshold",
        "dataset" => "feedback-daily",
        "page" => "1",
        _ => "x-1",
    });

    [Fact]
    public async Task Over_HTTP_every_denied_role_gets_401_or_403()
    {
        var failures = new List<string>();
        foreach (var endpoint in Endpoints)
        {
            var key = KeyOf(endpoint);
            var allowed = ExpectedOf(key).Split(' ');
            var method = key.Split(' ')[0] is "*" ? "GET" : key.Split(' ')[0];
            foreach (var role in AllRoles.Where(r => !allowed.Contains(r)))
            {
                var client = role switch
                {
                    "anonymous" => api.Anonymous,
                    Roles.Device => api.AsDevice("not-a-real-device-key-0123456789"),
                    _ => api.As(role, "19753", role == Roles.Citizen ? Keys.NewCitizenId() : null),
                };
                using var request = new HttpRequestMessage(new HttpMethod(method), Sample(endpoint.RoutePattern.RawText!));
                var contentType = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.ContentTypes is { Count: > 0 } types ? types[0] : "application/json";
                if (method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, contentType);
                using var response = await client.SendAsync(request);
                if (response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
                    failures.Add($"{key} as {role}: {(int)response.StatusCode}");
            }
        }
        Assert.Empty(failures);
    }
}
