using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HueGrains.Api.Auth;
using HueGrains.Testing;

namespace HueGrains.Bench;

/// <summary>
/// The shipped executable (silo/bin/Release/net10.0/HueGrains.Silo.dll, role all) on its own database of the bench's
/// PostgreSQL, with the defaults operators get except <see cref="ChangedSettings"/>; sensors provisioned through its API.
/// </summary>
public sealed class ShippedSilo : IAsyncDisposable
{
    /// <summary>Every setting the bench changes from the defaults, besides the ports, the database and the signing key.</summary>
    public static readonly IReadOnlyDictionary<string, string> ChangedSettings = new Dictionary<string, string>
    {
        // One load generator is one client address: the per-address limits would measure the limiter, not ingest.
        ["Hue__RateLimit__PermitsPerSecond"] = "1000000",
        ["Hue__RateLimit__Burst"] = "1000000",
        // W1c's 1,000 devices publish 15-19 readings/s each, near the quota of 20/s (a fast round passes it); the 64
        // devices of its earlier shape, kept beside it, ~230/s each.
        ["Hue__Ingest__DeviceMessagesPerSecond"] = "100000",
        ["Hue__Ingest__DeviceBurst"] = "100000",
        // /metrics on its own port without a token, as the README advises for Prometheus.
        ["Hue__Metrics__Port"] = "(a free port)",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__HueGrains"] = "Information",
    };

    private readonly string _signingKey;

    private ShippedSilo(SiloProcess process, string signingKey, string devicesFile, string database)
    {
        (Process, _signingKey, DevicesFile, Database) = (process, signingKey, devicesFile, database);
    }

    /// <summary>The connection string of the silo's own database.</summary>
    public string Database { get; }

    /// <summary>A bearer token the silo accepts, for a role (and a citizen).</summary>
    public string Token(string role, string? citizenId = null) =>
        TokenIssuer.Issue(new HueAuthOptions { SigningKey = _signingKey }, role, citizenId: citizenId);

    public SiloProcess Process { get; }
    public int ProcessId => Process.ProcessId;

    /// <summary>id, key and commune of every provisioned device; the last one is the freshness probe.</summary>
    public List<(string Id, string Key, string Commune)> Sensors { get; } = [];

    /// <summary>The load devices (all but the probe) as the load generator reads them: id TAB key per line.</summary>
    public string DevicesFile { get; }

    /// <summary>The shipped silo of this checkout, or another build of it (HUE_BENCH_SILO_DLL, e.g. an older commit's, to compare).</summary>
    public static string DllPath => Environment.GetEnvironmentVariable("HUE_BENCH_SILO_DLL") is { Length: > 0 } other ? other
        : Path.Combine(Repository.Root(), "silo", "bin", "Release", "net10.0", "HueGrains.Silo.dll");

    /// <param name="more">Settings a workload changes besides <see cref="ChangedSettings"/> (it reports them itself).</param>
    /// <param name="dll">Another build of the silo than <see cref="DllPath"/> (an A/B of two builds).</param>
    public static async Task<ShippedSilo> StartAsync(ThrowawayPostgres postgres, int sensors, string prefix = "bench",
        IReadOnlyDictionary<string, string>? more = null, string? dll = null)
    {
        dll ??= DllPath;
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: dotnet build -c Release silo");
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var settings = ChangedSettings.Where(s => !s.Value.StartsWith('(')).ToDictionary();
        foreach (var (key, value) in more ?? new Dictionary<string, string>()) settings[key] = value;
        var database = await postgres.CreateDatabaseAsync();
        var process = SiloProcess.Start("all", database, $"bench-{Guid.NewGuid():N}"[..16], signingKey, settings, dll);
        var silo = new ShippedSilo(process, signingKey, Path.Combine(Path.GetTempPath(), $"hue-bench-devices-{Guid.NewGuid():N}.tsv"), database);
        try
        {
            await process.WaitReadyAsync(TimeSpan.FromSeconds(120));
            if (sensors > 0) await silo.ProvisionAsync(sensors, prefix);
            return silo;
        }
        catch
        {
            await silo.DisposeAsync(); // a silo that did not start or provision is not left running
            throw;
        }
    }

    /// <summary>Bulk provisioning, 1,000 sensors per request as an operator would: the sensors are spread over the 40 communes.</summary>
    public async Task ProvisionAsync(int count, string prefix)
    {
        using var http = Http.Client($"http://127.0.0.1:{Process.HttpPort}");
        http.Timeout = TimeSpan.FromMinutes(5);
        http.DefaultRequestHeaders.Authorization = new("Bearer", Token(Roles.Operator));
        var all = Enumerable.Range(0, count + 1).Select(i => (Id: i == count ? $"{prefix}-probe" : $"{prefix}-{i:D7}", Commune: CityMap.Communes[i % CityMap.Communes.Count].Code)).ToList();
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(all.Chunk(1000), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (chunk, ct) =>
        {
            var csv = new StringBuilder("id,kind,unit,commune,latitude,longitude\n");
            foreach (var (id, commune) in chunk) csv.Append(CultureInfo.InvariantCulture, $"{id},water-level,m,{commune},16.46,107.59\n");
            using var answer = await PostRetryingAsync(http, "/api/v1/sensors", () => new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"), ct);
            foreach (var row in answer.RootElement.GetProperty("results").EnumerateArray())
            {
                if (row.GetProperty("status").GetString() == "rejected") throw new InvalidOperationException($"Provisioning refused {row}");
                var id = row.GetProperty("id").GetString()!;
                // A row created by an attempt that answered 503 comes back "updated", without its key: a new one is issued.
                var key = row.GetProperty("deviceKey").GetString();
                if (key is null)
                {
                    using var issued = await PostRetryingAsync(http, $"/api/v1/sensors/{id}/key", () => null, ct);
                    key = issued.RootElement.GetProperty("deviceKey").GetString()!;
                }
                lock (keys) keys[id] = key;
            }
        });
        Sensors.AddRange(all.Select(s => (s.Id, keys[s.Id], s.Commune)));
        await File.WriteAllLinesAsync(DevicesFile, Sensors.SkipLast(1).Select(s => $"{s.Id}\t{s.Key}"));
    }

    /// <summary>
    /// A POST retried while the silo answers 503 (it sheds load when the machine is saturated, as during an hour-long
    /// provisioning beside other work): a bench run of a million sensors must not end on one refusal.
    /// </summary>
    private static async Task<JsonDocument> PostRetryingAsync(HttpClient http, string path, Func<HttpContent?> content, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await http.PostAsync(path, content(), ct);
            if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && attempt < 10)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
                continue;
            }
            response.EnsureSuccessStatusCode();
            return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        }
    }

    /// <summary>One reading from every load device (32 connections), as an active city's sensors send.</summary>
    public async Task SendOneReadingEachAsync()
    {
        // A bound, not a pace: a thousand readings a second or more here, so at least 10 minutes and 10 ms per device.
        var seconds = Math.Max(600, Sensors.Count / 100);
        await using var once = await Generator.StartAsync("http", "--port", Process.HttpPort, "--kind", "single", "--connections", 32, "--seconds", seconds,
            "--devices", DevicesFile, "--once");
        await once.GoAsync();
        Console.WriteLine($"    one reading per sensor: {(await once.ResultAsync()).Describe()}");
    }

    /// <summary>The silo's own count of bytes allocated since it started (dotnet.gc.heap.total_allocated).</summary>
    public async Task<double> AllocatedBytesAsync() => Metric(await Process.MetricsAsync(), "dotnet_gc_heap_total_allocated_bytes_total");

    /// <summary>The silo's activations of every grain type (Orleans' orleans-catalog-activations gauge).</summary>
    public async Task<double> ActivationsAsync() => Metric(await Process.MetricsAsync(), "orleans_catalog_activations") is > 0 and var count ? count
        : throw new InvalidOperationException("The silo reports no orleans_catalog_activations.");

    /// <summary>
    /// The managed heap after the last collection and the free space in it, all generations, from one scrape
    /// (dotnet.gc.last_collection.heap.size and .fragmentation.size).
    /// </summary>
    public async Task<(double Heap, double Free)> HeapAfterLastCollectionAsync()
    {
        var lines = (await Process.MetricsAsync()).Split('\n');
        const string Free = "dotnet_gc_last_collection_heap_fragmentation_size_bytes";
        if (!lines.Any(l => l.StartsWith(Free, StringComparison.Ordinal))) throw new InvalidOperationException($"The silo reports no {Free}.");
        return (Metric(lines, "dotnet_gc_last_collection_heap_size_bytes"), Metric(lines, Free));
    }

    public async Task<double> Gen2CollectionsAsync() =>
        Metric((await Process.MetricsAsync()).Split('\n').Where(l => l.Contains("gen2", StringComparison.Ordinal)), "dotnet_gc_collections_total");

    private static double Metric(string text, string name) => Metric(text.Split('\n'), name);

    /// <summary>The sum of a metric's series in Prometheus text.</summary>
    private static double Metric(IEnumerable<string> lines, string name) => lines
        .Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l.Length == name.Length || l[name.Length] is '{' or ' '))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    /// <summary>
    /// A full blocking collection in the silo, asked for over its diagnostics port (an EventPipe session with the GC
    /// heap-collect keyword, as dotnet-gcdump does, without the heap walk); answers once the gen2 count has moved.
    /// </summary>
    public async Task CollectGarbageAsync()
    {
        var before = await Gen2CollectionsAsync();
        var client = new Microsoft.Diagnostics.NETCore.Client.DiagnosticsClient(ProcessId);
        using var session = client.StartEventPipeSession(
            new Microsoft.Diagnostics.NETCore.Client.EventPipeProvider("Microsoft-Windows-DotNETRuntime", System.Diagnostics.Tracing.EventLevel.Informational, 0x800001),
            requestRundown: false);
        var drain = session.EventStream.CopyToAsync(Stream.Null);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (await Gen2CollectionsAsync() == before && DateTime.UtcNow < deadline) await Task.Delay(250);
        await session.StopAsync(CancellationToken.None);
        await drain;
        if (await Gen2CollectionsAsync() == before) throw new TimeoutException("The silo did not collect its heap when asked.");
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        File.Delete(DevicesFile);
    }
}

public static class Repository
{
    /// <summary>The directory of HueGrains.sln, found upwards from the bench's binaries.</summary>
    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HueGrains.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
