using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HueGrains.LoadGen;

// The benchmark's load generator, run as a process of its own so that its CPU is never counted as the platform's.
//   http  --host 127.0.0.1 --port P --kind single|batch|senml|get --connections N --seconds S [--rate R] [--once]
//         [--devices FILE (id<TAB>key lines)] [--paths FILE] [--path-template /api/v1/sensors/{id}/readings] [--origin-ms MS]
//   mqtt  --host 127.0.0.1 --port P --devices FILE --connections N --seconds S [--origin-ms MS] [--anonymous]
//   broker --port P   (an MQTTnet broker doing no work: the MQTT ceiling)
// A load prints READY once connected, starts on a line GO on stdin, and ends with one JSON line of results.
var options = Options.Parse(args[1..]);
if (args[0] == "broker")
{
    await NoWorkBroker.RunAsync(options.Number("port"));
    return 0;
}

ILoad load = args[0] switch
{
    "http" => new HttpLoad(options),
    "mqtt" => new MqttLoad(options),
    _ => throw new ArgumentException($"Unknown mode {args[0]}: http, mqtt or broker."),
};
await load.ConnectAsync();
Console.WriteLine("READY");
if (Console.ReadLine() != "GO") return 1;
var cpu = Process.GetCurrentProcess().TotalProcessorTime;
var result = await load.RunAsync(TimeSpan.FromSeconds(options.Real("seconds", 5)), options.Real("rate", 0));
result.CpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
Console.WriteLine(JsonSerializer.Serialize(result, ResultJson.Default.LoadResult));
return 0;

namespace HueGrains.LoadGen
{
    public interface ILoad
    {
        Task ConnectAsync();

        /// <param name="rate">Requests per second over all connections; 0 for a closed loop (as fast as answers come back).</param>
        Task<LoadResult> RunAsync(TimeSpan duration, double rate);
    }

    public sealed class LoadResult
    {
        public long Requests { get; set; }
        public long Units { get; set; }
        public long Failures { get; set; }
        public double Seconds { get; set; }
        public double P50Ms { get; set; }
        public double P99Ms { get; set; }
        public double CpuSeconds { get; set; }
        public Dictionary<string, long> Statuses { get; set; } = [];
    }

    [System.Text.Json.Serialization.JsonSerializable(typeof(LoadResult))]
    public sealed partial class ResultJson : System.Text.Json.Serialization.JsonSerializerContext;

    public sealed class Options(Dictionary<string, string> values)
    {
        public static Options Parse(string[] args)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < args.Length; i++)
            {
                var name = args[i].TrimStart('-');
                values[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
            }
            return new Options(values);
        }

        public string? Text(string name) => values.GetValueOrDefault(name);
        public bool Flag(string name) => values.ContainsKey(name);
        public int Number(string name, int fallback = 0) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        public double Real(string name, double fallback = 0) => values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        public long Whole(string name, long fallback = 0) => values.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

        /// <summary>Devices as id and key, one per line separated by a tab.</summary>
        public (string Id, string Key)[] Devices() => Text("devices") is { } file
            ? [.. File.ReadLines(file).Where(l => l.Length > 0).Select(l => l.Split('\t') is var p ? (p[0], p.Length > 1 ? p[1] : "") : default)]
            : [];
    }

    /// <summary>Per-connection latencies kept in preallocated arrays, merged once at the end.</summary>
    public sealed class Latencies(int connections)
    {
        private const int PerConnection = 200_000;
        private readonly double[][] _samples = [.. Enumerable.Range(0, connections).Select(_ => new double[PerConnection])];
        private readonly int[] _counts = new int[connections];

        public void Add(int connection, long startTimestamp)
        {
            ref var count = ref _counts[connection];
            if (count < PerConnection) _samples[connection][count++] = Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
        }

        public (double P50, double P99) Percentiles()
        {
            var all = _samples.SelectMany((s, i) => s.Take(_counts[i])).Order().ToArray();
            return all.Length == 0 ? (double.NaN, double.NaN) : (all[(int)(all.Length * 0.5)], all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))]);
        }
    }

    /// <summary>Paces one connection at its share of the total rate (none when the rate is 0).</summary>
    public sealed class Pacer(double rate, int connections, int connection)
    {
        private readonly long _interval = rate > 0 ? (long)(Stopwatch.Frequency * connections / rate) : 0;
        private long _due = Stopwatch.GetTimestamp() + (rate > 0 ? (long)(Stopwatch.Frequency * connections / rate) * connection / connections : 0);

        public async ValueTask WaitAsync()
        {
            if (_interval == 0) return;
            var wait = _due - Stopwatch.GetTimestamp();
            if (wait > 0) await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            _due += _interval;
        }
    }
}
