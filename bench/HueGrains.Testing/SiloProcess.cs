using System.Diagnostics;
using System.Text;

namespace HueGrains.Testing;

/// <summary>A HueGrains process (the real executable) in a given role, for cluster and failure tests.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(Process process, int httpPort, int siloPort, int metricsPort)
    {
        _process = process;
        HttpPort = httpPort;
        SiloPort = siloPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        Metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int HttpPort { get; }
    public int SiloPort { get; }
    public int MqttPort { get; private init; }

    /// <summary>The operating system's id of the platform process (for /proc/&lt;pid&gt;/status).</summary>
    public int ProcessId => _process.Id;
    public HttpClient Http { get; }

    /// <summary>The scrape port (<c>Hue__Metrics__Port</c>), where <c>/metrics</c> answers without a token.</summary>
    public HttpClient Metrics { get; }

    public Task<string> MetricsAsync() => Metrics.GetStringAsync("/metrics");

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts <c>HueGrains.Silo.dll</c> (next to the calling assembly, or <paramref name="siloDll"/>) in a role, with its own ports.</summary>
    public static SiloProcess Start(string role, string connectionString, string clusterId, string signingKey,
        IReadOnlyDictionary<string, string>? environment = null, string? siloDll = null)
    {
        var (httpPort, siloPort, gatewayPort, metricsPort) = (LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free());
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(siloDll ?? Path.Combine(AppContext.BaseDirectory, "HueGrains.Silo.dll"));
        start.ArgumentList.Add("--role");
        start.ArgumentList.Add(role);
        start.Environment["ConnectionStrings__Hue"] = connectionString;
        start.Environment["Hue__Orleans__ClusterId"] = clusterId;
        start.Environment["Hue__Orleans__SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Hue__Orleans__GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Hue__Http__Port"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Hue__Metrics__Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Hue__Auth__SigningKey"] = signingKey;
        start.Environment["Hue__RateLimit__PermitsPerSecond"] = "1000000"; // load generators are one client by design
        start.Environment["Hue__RateLimit__Burst"] = "1000000";
        var mqttPort = LoopbackPorts.Free();
        start.Environment["Hue__Mqtt__Port"] = mqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__HueGrains"] = "Information";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start)!;
        var silo = new SiloProcess(process, httpPort, siloPort, metricsPort) { MqttPort = mqttPort };
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The process exited: {Output}");
            try
            {
                if ((await Http.GetAsync("/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"Not ready in time: {Output}");
    }

    /// <summary>kill -9: no goodbye, no flushing.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, as an orchestrator scaling in sends it: the process shuts down gracefully.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    public bool HasExited => _process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Http.Dispose();
        Metrics.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
