using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using HueGrains.Api.Endpoints;
using HueGrains.Api.OpenApi;

namespace HueGrains.Tests.Http;

/// <summary>
/// The OpenAPI document the server serves is the one HueGrains.Client was generated from (clients/openapi/v1.json),
/// and it describes every operation fully. <c>clients/generate.sh</c> runs the first test with
/// <see cref="WriteVariable"/> set to write the served document, then regenerates the client from it.
/// </summary>
[Collection(ApiCollection.Name)]
public class OpenApiDocumentTests(ApiFixture api)
{
    public const string WriteVariable = "HUE_WRITE_OPENAPI";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static string CommittedPath
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HueGrains.sln"))) dir = dir.Parent;
            return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("HueGrains.sln not found above the test binaries."),
                "clients", "openapi", "v1.json");
        }
    }

    private async Task<JsonNode> ServedAsync()
    {
        var response = await api.Anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task The_served_document_is_the_committed_one_the_client_was_generated_from()
    {
        var served = await ServedAsync();
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(CommittedPath)!);
            await File.WriteAllTextAsync(CommittedPath, served.ToJsonString(Indented) + "\n");
            return;
        }
        Assert.True(File.Exists(CommittedPath), $"{CommittedPath} is missing: run clients/generate.sh.");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(CommittedPath))!;
        if (!JsonNode.DeepEquals(served, committed))
            Assert.Fail($"The served OpenAPI document differs from clients/openapi/v1.json at {FirstDifference(served, committed, "$")}: "
                + "the API changed, so run clients/generate.sh to regenerate the document and HueGrains.Client, and commit both.");
    }

    [Fact]
    public async Task Every_operation_has_an_id_a_described_success_problem_details_for_errors_and_security_unless_public()
    {
        var document = await ServedAsync();
        var publicEndpoints = AuthorizationMatrixTests.PublicEndpoints.Select(k => k.TrimEnd('/')).ToHashSet();
        var failures = new List<string>();
        var ids = new List<string>();
        var operations = document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(op => (Path: path.Key, Method: op.Key.ToUpperInvariant(), Op: op.Value!)));
        foreach (var (path, method, op) in operations)
        {
            var key = $"{method} {path}";
            if (op["operationId"]?.GetValue<string>() is { Length: > 0 } id) ids.Add(id);
            else failures.Add($"{key}: no operationId");

            var responses = op["responses"]!.AsObject();
            var successes = responses.Where(r => r.Key.StartsWith('2')).ToList();
            if (successes.Count == 0) failures.Add($"{key}: no 2xx response");
            foreach (var (status, response) in successes)
            {
                var content = response!["content"]?.AsObject();
                if (status == "204" ? content is not null : content is null || content.Any(c => c.Value!["schema"] is null))
                    failures.Add($"{key}: {status} {(status == "204" ? "has a body" : "has no schema")}");
            }
            // GeoReport errors are GeoReport error lists (as its clients expect); everything else answers problem details.
            var geoReport = path.StartsWith("/open311/", StringComparison.Ordinal);
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
            {
                var content = response!["content"]?.AsObject();
                var problem = content?[CommonAnswers.ProblemContentType]?["schema"]?["$ref"]?.GetValue<string>();
                if (content is null || content.Count == 0 || !geoReport && problem is not ("#/components/schemas/ProblemDetails" or "#/components/schemas/HttpValidationProblemDetails"))
                    failures.Add($"{key}: {status} is not described as problem details");
            }

            var security = op["security"]?.AsArray().Select(r => r!.AsObject()).ToList() ?? [];
            var anonymous = security.Any(r => r.Count == 0);
            if (publicEndpoints.Contains(key) != anonymous)
                failures.Add($"{key}: {(anonymous ? "documented public, but the authorization matrix restricts it" : "public, but the document asks for credentials")}");
            if (!anonymous && (security.Count == 0 || !responses.ContainsKey("401") || !responses.ContainsKey("403")))
                failures.Add($"{key}: restricted without a security requirement, 401 and 403");
        }
        Assert.Empty(failures);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(ids.Count >= 50, $"only {ids.Count} operations documented");
    }

    [Fact]
    public async Task The_documented_subscription_body_names_exactly_the_fields_the_handler_accepts()
    {
        var properties = (await ServedAsync())["components"]!["schemas"]!["SubscriptionRequest"]!["properties"]!.AsObject();
        Assert.Equal(SubscriptionsApi.Fields.Order(), properties.Select(p => p.Key).Order());
    }

    /// <summary>The JSON path of the first place two documents differ, for a failure message a person can act on.</summary>
    private static string FirstDifference(JsonNode? a, JsonNode? b, string path)
    {
        switch (a, b)
        {
            case (JsonObject x, JsonObject y):
                foreach (var key in x.Select(p => p.Key).Union(y.Select(p => p.Key)))
                    if (!JsonNode.DeepEquals(x[key], y[key])) return FirstDifference(x[key], y[key], $"{path}.{key}");
                return path;
            case (JsonArray x, JsonArray y):
                for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
                    if (!JsonNode.DeepEquals(x[i], y[i])) return FirstDifference(x[i], y[i], $"{path}[{i}]");
                return $"{path} (served {x.Count} items, committed {y.Count})";
            default:
                return path;
        }
    }
}
