using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

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
