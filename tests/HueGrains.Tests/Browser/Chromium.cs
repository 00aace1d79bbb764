using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HueGrains.Testing;

namespace HueGrains.Tests.Browser;

/// <summary>
/// Headless Chromium (<c>HUE_CHROMIUM</c>, else Debian's <c>chromium</c>, installed on first use if missing — see
/// <see cref="RequiredTool"/>) driven over the DevTools protocol: one page, navigate, evaluate, screenshot. No Playwright
/// download needed; the protocol is a WebSocket of JSON commands.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private Chromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public static async Task<Chromium> LaunchAsync()
    {
        var executable = Environment.GetEnvironmentVariable("HUE_CHROMIUM") ?? await RequiredTool.EnsureAsync("chromium", "chromium");
        var profile = Directory.CreateTempSubdirectory("hue-chromium-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--remote-debugging-port=0", $"--user-data-dir={profile}", "--window-size=1280,1400", "about:blank" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var browser = new Chromium(process, profile);
        var portFile = Path.Combine(profile, "DevToolsActivePort");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(portFile) || (await File.ReadAllLinesAsync(portFile)).Length < 1)
        {
            if (process.HasExited) throw new InvalidOperationException($"{executable} exited with code {process.ExitCode}.");
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Chromium did not open its DevTools port.");
            await Task.Delay(100);
        }
        var port = (await File.ReadAllLinesAsync(portFile))[0];
        using var http = new HttpClient();
        var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
        var page = targets.First(t => (string?)t!["type"] == "page")!;
        await browser._socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), CancellationToken.None);
        return browser;
    }

    public async Task<JsonNode?> SendAsync(string method, object? parameters = null)
    {
        var id = ++_nextId;
        var command = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        await _socket.SendAsync(command, WebSocketMessageType.Text, true, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var message = JsonNode.Parse(await ReceiveAsync(timeout.Token))!;
            if ((int?)message["id"] != id) continue; // an event, or an answer to someone else
            if (message["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            return message["result"];
        }
    }

    public async Task NavigateAsync(string url) => await SendAsync("Page.navigate", new { url });

    /// <summary>Evaluates a JavaScript expression in the page and returns its value (promises awaited).</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (result?["exceptionDetails"] is { } failure) throw new InvalidOperationException($"{expression}: {failure.ToJsonString()}");
        return result?["result"]?["value"];
    }

    public async Task ScreenshotAsync(string path)
    {
        var result = await SendAsync("Page.captureScreenshot", new { format = "png", captureBeyondViewport = true });
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String((string)result!["data"]!));
    }

    private async Task<string> ReceiveAsync(CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult received;
        do
        {
            received = await _socket.ReceiveAsync(buffer, ct);
            message.Write(buffer, 0, received.Count);
        }
        while (!received.EndOfMessage);
        return Encoding.UTF8.GetString(message.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // chromium may still be releasing its profile; it is a temp directory
        }
    }
}
