using HueGrains.Grains;
using HueGrains.Testing;

namespace HueGrains.Bench;

/// <summary>
/// W4: managed heap per active grain, measured in a fresh embedded silo (memory storage) as the heap delta after a full
/// collection divided by the activations. Each figure includes what the entity costs around it: the commune's snapshot of
/// it, and for citizens the national-ID registry grain.
/// </summary>
public static class MemoryWorkload
{
    public static async Task RunAsync(Report report, BenchSettings settings)
    {
        Console.WriteLine("W4 memory");
        foreach (var count in settings.MemoryActivations)
            report.Add("W4", $"bytes per sensor grain at {count:N0} (embedded silo, memory storage)", [await MeasureAsync(count, Sensors)], "bytes", null);
        // Orleans' own cost of an activation (a stateless trivial grain), to split the sensor figure into engine and ours.
        report.Add("W4", $"bytes per trivial grain at {settings.MemoryActivations[0]:N0} (Orleans' own)",
            [await MeasureAsync(settings.MemoryActivations[0], (grains, i) => grains.GetGrain<IPingGrain>(i + 1).Ping(i))], "bytes");
        // Citizens and cases at the smaller count only: at a million each the heap passes 7 GB on this 2-core machine.
        var first = settings.MemoryActivations[0];
        report.Add("W4", $"bytes per citizen grain at {first:N0}", [await MeasureAsync(first, Citizens)], "bytes");
        report.Add("W4", $"bytes per case grain at {first:N0}", [await MeasureAsync(first, Cases)], "bytes");
    }

    /// <summary>Only the sensor figure and Orleans' own, at one count (the bench's --w4-embedded).</summary>
    public static async Task RunSensorsAsync(Report report, int count)
    {
        Console.WriteLine("W4 memory (sensors only)");
        report.Add("W4", $"bytes per sensor grain at {count:N0} (embedded silo, memory storage)", [await MeasureAsync(count, Sensors)], "bytes", "≤ 4 KB");
        report.Add("W4", $"bytes per trivial grain at {count:N0} (Orleans' own)",
            [await MeasureAsync(count, (grains, i) => grains.GetGrain<IPingGrain>(i + 1).Ping(i))], "bytes");
    }

    private static async Task<double> MeasureAsync(int count, Func<IGrainFactory, int, Task> activate)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(LoopbackPorts.Free(), LoopbackPorts.Free())
            .AddHueInMemoryProviders().AddHueGrains()
            .Configure<Orleans.Configuration.GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromHours(2)));
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        await activate(grains, -1); // warm up: communes, city, registries
        await Task.Delay(500);
        var before = Heap();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 256 }, async (i, _) => await activate(grains, i));
        await Task.Delay(1000); // let outboxes and streams settle
        var perGrain = (Heap() - before) / (double)count;
        Console.WriteLine($"    {count:N0} activations: {perGrain:N0} bytes each");
        // A moment to take a heap dump of the live grains (dotnet-gcdump collect -p <pid>) when asked for.
        if (int.TryParse(Environment.GetEnvironmentVariable("HUE_W4_PAUSE_SECONDS"), out var pause) && pause > 0)
        {
            Console.WriteLine($"    pausing {pause} s for a heap dump of process {Environment.ProcessId}");
            await Task.Delay(TimeSpan.FromSeconds(pause));
        }
        await host.StopAsync();
        return perGrain;
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static async Task Sensors(IGrainFactory grains, int i)
    {
        var sensor = grains.Sensor($"mem-{i + 1}");
        await sensor.Provision(new SensorSpec(SensorKind.WaterLevel, "m", CityMap.Communes[(i + 40) % 40].Code, 16.46, 107.59));
        await sensor.Ingest([new Reading(DateTimeOffset.UtcNow, 1.2)], null);
    }

    private static Task Citizens(IGrainFactory grains, int i) =>
        grains.GetGrain<ICitizenGrain>(Keys.NewCitizenId()).Register(new CitizenProfile("Công dân thử nghiệm", new DateOnly(1990, 1, 1),
            (100_000_000_000L + i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "0905000000", CityMap.Communes[(i + 40) % 40].Code));

    private static async Task Cases(IGrainFactory grains, int i)
    {
        // Every case needs an applicant: a pool of registered citizens, made on the warm-up call.
        const int Applicants = 10_000;
        if (i < 0)
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, Applicants), async (c, ct) => await grains.GetGrain<ICitizenGrain>($"c-{c:D32}").Register(
                new CitizenProfile("Người nộp hồ sơ", new DateOnly(1980, 1, 1), (900_000_000_000L + c).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "0905000000", CityMap.Communes[c % 40].Code), ct: ct));
            return;
        }
        var applicant = $"c-{i % Applicants:D32}";
        await grains.GetGrain<ICaseGrain>(Keys.NewCaseId()).File(new CaseFiling("certified-copy", applicant, null,
            new Dictionary<string, string> { ["documentName"] = "Bằng tốt nghiệp", ["copies"] = "2" }), new Actor(Roles.Citizen, CitizenId: applicant));
    }
}
