using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using HueGrains.Api.Ingest;
using HueGrains.Grains.Domain;

namespace HueGrains.Bench;

/// <summary>Micro-benchmarks of the hot paths: SenML parsing, the aggregation update, alert evaluation.</summary>
[MemoryDiagnoser]
public class HotPaths
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
    private readonly byte[] _pack = Encoding.UTF8.GetBytes(
        "[" + string.Join(",", Enumerable.Range(0, 100).Select(i => i == 0
            ? "{\"bn\":\"kimlong-gauge-1:\",\"bt\":1764316800,\"bu\":\"m\",\"n\":\"level\",\"v\":1.5}"
            : $"{{\"n\":\"level\",\"t\":{i},\"v\":{1.5 + i / 1000.0}}}")) + "]");
    private readonly SensorSpec _gauge = SensorRules.Normalize(new SensorSpec(SensorKind.WaterLevel, "m", "19774", 16.46, 107.55));
    private readonly CommuneLedger _ledger = new();
    private readonly RollingStats _stats = new();
    private AlertBook _alerts = new();
    private long _version;

    [Benchmark(Description = "SenML pack of 100 records: parse and resolve")]
    public async Task<int> ParseSenml() =>
        Senml.Resolve(await Senml.ReadAsync(new MemoryStream(_pack), CancellationToken.None), Now).Count;

    [Benchmark(Description = "Aggregation update: a sensor snapshot applied to its commune")]
    public bool ApplySnapshot() =>
        _ledger.Apply(new SensorSnapshot($"s-{_version % 500}", ++_version, SensorKind.WaterLevel, new Reading(Now, 1.5), 0, null, [], TimeSpan.FromMinutes(5), Now), Now);

    private CommuneLedger? _busyCommune;

    [Benchmark(Description = "Commune indicators recomputed over its 500 sensors (one flush)")]
    public int ComputeCommune()
    {
        if (_busyCommune is null)
        {
            _busyCommune = new CommuneLedger();
            for (var i = 0; i < 500; i++)
                _busyCommune.Apply(new SensorSnapshot($"s-{i}", 1, SensorKind.WaterLevel, new Reading(Now, 0.5 + i % 7 / 10.0), 0, null, [], TimeSpan.FromMinutes(5), Now), Now);
        }
        return _busyCommune.Compute("19774", 1, Now).Indicators.Sensors;
    }

    [Benchmark(Description = "Rolling statistics: one reading into the 1 min / 1 h / 24 h windows")]
    public void AddToWindows() => _stats.Add(new Reading(Now.AddMilliseconds(++_version % 60_000), 1.5), Now.AddMinutes(1));

    [Benchmark(Description = "Alert evaluation of a reading (thresholds with hysteresis)")]
    public bool EvaluateAlert()
    {
        if (++_version % 1000 == 0) _alerts = new AlertBook();
        var value = 1.9 + (_version % 20) / 100.0;
        var stats = new SensorStatistics(new WindowStats(1, value, value, value, value), new WindowStats(1, value, value, value, value), new WindowStats(1, value, value, value, value));
        return _alerts.Evaluate(_gauge, new Reading(Now, value), stats, Now);
    }

    public static void Run(Report report, bool quick)
    {
        Console.WriteLine("Micro-benchmarks (BenchmarkDotNet, in-process)");
        var job = (quick ? Job.Dry : Job.ShortRun).WithToolchain(InProcessEmitToolchain.Instance);
        var summary = BenchmarkRunner.Run<HotPaths>(ManualConfig.CreateMinimumViable().AddJob(job).WithOptions(ConfigOptions.DisableLogFile));
        foreach (var run in summary.Reports.Where(r => r.ResultStatistics is not null))
        {
            var stats = run.ResultStatistics!;
            report.Add("Micro", run.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''), [stats.Median, stats.Min, stats.Max], "ns/op");
        }
    }
}
