using System.Collections.Frozen;
using System.Security.Cryptography;

namespace HueGrains.Api.Dashboard;

/// <summary>
/// The operations dashboard at <c>/</c>: three files embedded in this assembly and served by the platform itself, so it
/// works offline (no CDN, no framework). Each answer carries an ETag so browsers revalidate cheaply.
/// </summary>
public static class DashboardAssets
{
    private static readonly FrozenDictionary<string, (byte[] Body, string ContentType, string ETag)> Files = new[]
    {
        ("index.html", "text/html; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
    }.ToFrozenDictionary(f => f.Item1, f =>
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream($"HueGrains.Dashboard.{f.Item1}")
            ?? throw new InvalidOperationException($"The dashboard file {f.Item1} is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var body = copy.ToArray();
        return (body, f.Item2, $"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..16]}\"");
    });

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext http) => Serve(http, "index.html")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/ui/{file}", (HttpContext http, string file) => Serve(http, file)).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(HttpContext http, string file)
    {
        if (!Files.TryGetValue(file, out var asset)) return Results.NotFound();
        http.Response.Headers.ETag = asset.ETag;
        http.Response.Headers.CacheControl = "no-cache";
        if (http.Request.Headers.IfNoneMatch == asset.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Body, asset.ContentType);
    }
}
