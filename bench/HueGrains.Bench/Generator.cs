using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace HueGrains.Bench;

/// <summary>What one load generator process measured (its JSON line); CpuSeconds is its own, over the load only.</summary>
public sealed record GeneratorResult(long Requests, long Units, long Failures, double Seconds, double P50Ms, double P99Ms, double CpuSeconds,
    Dictionary<string, long>? Statuses)
{
    public double UnitsPerSecond => Units / Seconds;

    public string Describe() => $"{UnitsPerSecond:N0}/s, p50 {P50Ms:F2} ms, p99 {P99Ms:F2} ms, {Failures} failed" +
        (Statuses is { Count: > 0 } ? $" ({string.Join(", ", Statuses.Select(s => $"{s.Key}: {s.Value}"))})" : "");
}

/// <summary>
/// bench/HueGrains.LoadGen run as its own process: started and connected first, then told GO, so that the counters
/// read around a load cover the load only.
/// </summary>
public sealed class Generator : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Process _process;

    private Generator(Process process) => _process = process;

    public int ProcessId => _process.Id;

    /// <summary>
    /// W1c's devices: each on its own connection with one publish in flight, as a city's sensors are connected (20,000
    /// here), each publishing far less often than a handful of connections would have to. At the 15,000-19,000 readings/s
    /// measured, 1,000 devices send 15-19 a second each, near the default device quota of 20 (64 sent ~230 each).
    /// </summary>
    public const int MqttDevices = 1_000;

    /// <summary>MQTT 3.1.1 QoS 1 single readings from <paramref name="connections"/> of the devices in <paramref name="devices"/> (W1c's load).</summary>
    public static Task<Generator> MqttSinglesAsync(int port, string devices, double seconds, int connections = MqttDevices, params object[] more) =>
        StartAsync(["mqtt", "--port", port, "--devices", devices, "--connections", connections, "--seconds", seconds, .. more]);

    /// <summary>A temporary devices file of <paramref name="count"/> made-up devices for the no-work broker, which accepts any.</summary>
    public static async Task<string> BrokerDevicesAsync(int count)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, count).Select(i => $"broker-{i:D7}\tkey"));
        return file;
    }

    public static async Task<Generator> StartAsync(params object[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HueGrains.LoadGen.dll"));
        foreach (var arg in args) start.ArgumentList.Add(Convert.ToString(arg, CultureInfo.InvariantCulture)!);
        var generator = new Generator(Process.Start(start)!);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await generator._process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            if (line == "READY") return generator;
        throw new InvalidOperationException($"The load generator stopped before it was ready: {await generator._process.StandardError.ReadToEndAsync(CancellationToken.None)}");
    }

    public Task GoAsync() => _process.StandardInput.WriteLineAsync("GO");

    public async Task<GeneratorResult> ResultAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
            if (line.StartsWith('{')) return JsonSerializer.Deserialize<GeneratorResult>(line, Json)!;
        throw new InvalidOperationException($"The load generator ended without a result: {await _process.StandardError.ReadToEndAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}

/// <summary>A load with the CPU each process spent on it (/proc), and the server's allocations (its runtime counters).</summary>
public sealed record Sample(GeneratorResult Load, double ServerCpu, double PostgresCpu, double GeneratorCpu, double AllocatedBytes, double WallSeconds)
{
    public double Units => Load.Units;
    public double ServerUsPerUnit => ServerCpu * 1e6 / Units;
    public double PostgresUsPerUnit => PostgresCpu * 1e6 / Units;
    public double GeneratorUsPerUnit => GeneratorCpu * 1e6 / Units;
    public double AllocatedPerUnit => AllocatedBytes / Units;

    /// <summary>
    /// Starts the load on every generator at once and reads the counters around it. The first generator is the one measured;
    /// the others (background ingest) only add their load.
    /// </summary>
    public static async Task<Sample> MeasureAsync(int serverPid, int? postmaster, Func<Task<double>>? allocated, params Generator[] generators)
    {
        var (server, postgres, bytes) = (ProcessCounters.CpuSeconds(serverPid), postmaster is { } pm ? ProcessCounters.ClusterCpuSeconds(pm) : 0,
            allocated is null ? 0 : await allocated());
        var wall = Stopwatch.StartNew();
        foreach (var generator in generators) await generator.GoAsync();
        var results = await Task.WhenAll(generators.Select(g => g.ResultAsync()));
        foreach (var generator in generators) await generator.DisposeAsync();
        var sample = new Sample(results[0], ProcessCounters.CpuSeconds(serverPid) - server,
            postmaster is { } after ? ProcessCounters.ClusterCpuSeconds(after) - postgres : 0, results[0].CpuSeconds,
            allocated is null ? double.NaN : await allocated() - bytes, wall.Elapsed.TotalSeconds);
        Console.WriteLine($"    {results[0].Describe()}; server {sample.ServerUsPerUnit:N0} µs, PostgreSQL {sample.PostgresUsPerUnit:N0} µs, " +
            $"generator {sample.GeneratorUsPerUnit:N0} µs per unit");
        return sample;
    }
}
