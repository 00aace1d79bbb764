using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using HueGrains.Api.Auth;
using HueGrains.Testing;
using HueGrains.Tests.Http;
using Microsoft.AspNetCore.Builder;

namespace HueGrains.Tests.Browser;

/// <summary>The platform on a real loopback port (a browser needs one), composed as `dotnet run --project silo` does.</summary>
public sealed class KestrelPlatformFixture : IAsyncLifetime
{
    public HueAuthOptions Auth { get; } = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };

    public string BaseUrl { get; private set; } = "";

    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        var port = LoopbackPorts.Free();
        _app = await TestPlatform.StartAsync(new()
        {
            ["Hue:Auth:SigningKey"] = Auth.SigningKey,
            ["Hue:Mqtt:Enabled"] = "false",
        }, httpPort: port);
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public HttpClient Client(string? role = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        if (role is not null)
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TokenIssuer.Issue(Auth, role));
        return client;
    }

    public Task DisposeAsync() => TestPlatform.StopAsync(_app);
}

// In the API collection, not beside it: hosts in one process share meter names, and the metrics test reads the API
// fixture's live gauges, which a parallel host could shadow.
[Collection(ApiCollection.Name)]
public class DashboardBrowserTests(KestrelPlatformFixture platform) : IClassFixture<KestrelPlatformFixture>
{
    private const string Commune = "19774"; // Kim Long, on the Perfume River
    private const string AlertRed = "rgb(215, 38, 61)";

    private static string Artefact(string name)
    {
        var project = new DirectoryInfo(AppContext.BaseDirectory);
        while (project is not null && !File.Exists(Path.Combine(project.FullName, "HueGrains.Tests.csproj"))) project = project.Parent;
        return Path.Combine(project?.FullName ?? AppContext.BaseDirectory, "TestResults", "screenshots", name);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (clock.Elapsed > timeout) throw new TimeoutException($"Not reached within {timeout.TotalSeconds} s; last value: {value}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Kestrel_refuses_a_body_over_the_limit_with_413_problem_details()
    {
        using var operatorClient = platform.Client(Roles.Operator);
        var tooBig = await operatorClient.PostAsync("/api/v1/sensors/",
            new StringContent("[" + new string(' ', 2_000_000) + "]", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Equal("application/problem+json", tooBig.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_dashboard_shows_40_communes_on_tiles_and_a_map_and_turns_the_commune_and_its_gauge_red_within_3_s_of_a_reading_above_BD3()
    {
        await using var browser = await Chromium.LaunchAsync();
        await browser.NavigateAsync(platform.BaseUrl + "/");
        await WaitForAsync(async () => (int?)await browser.EvaluateAsync("document.querySelectorAll('.tile').length") ?? 0, n => n == 40, TimeSpan.FromSeconds(20));
        await WaitForAsync(async () => (string?)await browser.EvaluateAsync("document.getElementById('live').className"), c => c == "live", TimeSpan.FromSeconds(10));
        Assert.Equal("Trung tâm điều hành thành phố Huế", (string?)await browser.EvaluateAsync("document.querySelector('h1').textContent"));

        using var operatorClient = platform.Client(Roles.Operator);
        var sensor = $"kim-long-gauge-{Guid.NewGuid():N}"[..32];
        var created = await (await operatorClient.PutJson($"/api/v1/sensors/{sensor}",
            new { kind = "water-level", unit = "m", commune = Commune, latitude = 16.4600, longitude = 107.5530 })).Json();
        using var device = platform.Client();
        device.DefaultRequestHeaders.Add(DeviceKeyAuthentication.Header, created.GetProperty("deviceKey").GetString());

        var tile = $"document.querySelector('.tile[data-code=\"{Commune}\"]')";
        Assert.NotEqual(AlertRed, (string?)await browser.EvaluateAsync($"getComputedStyle({tile}).backgroundColor"));

        // The map: 40 communes (approximate centroids until boundaries are loaded), and the new gauge's marker once the
        // commune's sensor count moves on the live feed.
        await WaitForAsync(async () => (int?)await browser.EvaluateAsync("document.querySelectorAll('#map .commune').length") ?? 0, n => n == 40, TimeSpan.FromSeconds(10));
        Assert.Equal(40, (int?)await browser.EvaluateAsync("document.querySelectorAll('#map .commune.approximate').length"));
        var marker = $"document.querySelector('#map .sensor[data-id=\"{sensor}\"]')";
        await WaitForAsync(async () => (bool?)await browser.EvaluateAsync($"{marker} !== null"), shown => shown == true, TimeSpan.FromSeconds(10));
        Assert.NotEqual(AlertRed, (string?)await browser.EvaluateAsync($"getComputedStyle({marker}).fill"));
        var response = await device.PostJson($"/api/v1/sensors/{sensor}/readings", new { at = DateTimeOffset.UtcNow, value = 3.8 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var acked = Stopwatch.StartNew();
        await WaitForAsync(async () => (string?)await browser.EvaluateAsync($"getComputedStyle({tile}).backgroundColor"), c => c == AlertRed, TimeSpan.FromSeconds(3));
        Assert.True(acked.Elapsed < TimeSpan.FromSeconds(3), $"took {acked.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal("3", (string?)await browser.EvaluateAsync($"{tile}.dataset.flood"));
        await WaitForAsync(async () => (string?)await browser.EvaluateAsync($"getComputedStyle({marker}).fill"), c => c == AlertRed, TimeSpan.FromSeconds(3));
        Assert.Equal(AlertRed, (string?)await browser.EvaluateAsync($"getComputedStyle(document.querySelector('#map .commune[data-code=\"{Commune}\"]')).fill"));
        await browser.ScreenshotAsync(Artefact("dashboard-bd3.png"));

        // Drill down, switch to English, and stay usable at phone width.
        await browser.EvaluateAsync($"{tile}.click()");
        await WaitForAsync(async () => (bool?)await browser.EvaluateAsync($"!document.getElementById('detail').hidden && document.getElementById('detail').textContent.includes('{sensor}')"),
            shown => shown == true, TimeSpan.FromSeconds(5));
        await browser.EvaluateAsync("document.getElementById('lang').click()");
        Assert.Equal("Huế city operations centre", (string?)await browser.EvaluateAsync("document.querySelector('h1').textContent"));
        await browser.SendAsync("Emulation.setDeviceMetricsOverride", new { width = 390, height = 844, deviceScaleFactor = 2, mobile = true });
        await Task.Delay(200);
        Assert.True((int?)await browser.EvaluateAsync("document.documentElement.scrollWidth") <= 390);
        await browser.ScreenshotAsync(Artefact("dashboard-phone-en.png"));
    }
}
