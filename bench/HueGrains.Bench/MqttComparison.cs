using System.Globalization;
using HueGrains.Testing;

namespace HueGrains.Bench;

/// <summary>
/// W1c of several silo builds or settings side by side (-- --w1c-ab VARIANT… [--rounds N] [--connections N, W1c's
/// 1,000 devices by default], a variant being
/// <c>path.dll</c> with optional <c>;Key=Value</c> settings, given to the silo as environment variables; an empty path is
/// this checkout's silo): this checkout's silo (A) and each variant (B, C, …), each on
/// its own database of one PostgreSQL, in many short rounds of the no-work broker and every silo, the silos' order
/// rotating each round. One build's rounds drift by a factor of 1.5-2 within minutes on a shared VM; rounds taken
/// seconds apart and compared pairwise show a change of a few percent (A against a copy of itself: median 0.99,
/// quartiles 0.85-1.08 over 12 rounds). Context switches are those of the threads alive before and after a load,
/// its generator's connections included. Printed only.
/// </summary>
public static class MqttComparison
{
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(ThrowawayPostgres postgres, int sensors, IReadOnlyList<string> variants, int rounds, int connections)
    {
        var silos = new List<(string Name, string Describe, ShippedSilo Silo)>();
        try
        {
            silos.Add(("A", "this checkout", await ShippedSilo.StartAsync(postgres, sensors)));
            foreach (var (variant, i) in variants.Select((v, i) => (v, i)))
            {
                var parts = variant.Split(';');
                var settings = parts.Skip(1).Where(p => p.Length > 0).Select(p => p.Split('=', 2))
                    .ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : throw new ArgumentException($"A setting is Key=Value: {variant}"));
                var dll = parts[0].Length > 0 ? parts[0] : null; // ";Key=Value": this checkout's silo with other settings
                silos.Add(($"{(char)('B' + i)}", variant, await ShippedSilo.StartAsync(postgres, sensors, more: settings, dll: dll)));
            }
            foreach (var (_, _, silo) in silos) await silo.SendOneReadingEachAsync();
            await IdleAsync(silos);
            await CompareAsync(postgres, silos, rounds, connections);
        }
        finally
        {
            foreach (var (_, _, silo) in silos)
            {
                try
                {
                    await silo.DisposeAsync();
                }
                catch (Exception ex)
                {
                    Console.WriteLine($"  stopping a silo failed: {ex.Message}"); // the others are still stopped
                }
            }
        }
    }

    /// <summary>What each silo spends with no load at all (timers, stream polls), all of them idle together.</summary>
    private static async Task IdleAsync(List<(string Name, string Describe, ShippedSilo Silo)> silos)
    {
        var before = silos.Select(s => ProcessCounters.CpuSeconds(s.Silo.ProcessId)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(10));
        Console.WriteLine("  idle: " + string.Join(", ", silos.Select((s, i) =>
            string.Create(CultureInfo.InvariantCulture, $"{s.Name} {(ProcessCounters.CpuSeconds(s.Silo.ProcessId) - before[i]) * 10:F1}% of a core"))));
    }

    private static async Task CompareAsync(ThrowawayPostgres postgres, List<(string Name, string Describe, ShippedSilo Silo)> silos, int rounds, int connections)
    {
        var brokerPort = LoopbackPorts.Free();
        await using var broker = await Generator.StartAsync("broker", "--port", brokerPort);
        var brokerDevices = await Generator.BrokerDevicesAsync(connections);
        var origin = DateTimeOffset.UtcNow.AddHours(-23);
        var loads = silos.Select(s => (s.Name, Pid: s.Silo.ProcessId, Port: s.Silo.Process.MqttPort, Devices: s.Silo.DevicesFile)).ToList();
        var samples = loads.Select(l => l.Name).Append("broker").ToDictionary(n => n, _ => new List<(Sample Sample, double Switches)>());
        for (var round = -1; round < rounds; round++) // round -1 warms every process up, unmeasured
        {
            var order = loads.Skip(Math.Max(round, 0) % loads.Count).Concat(loads.Take(Math.Max(round, 0) % loads.Count)).Prepend(("broker", broker.ProcessId, brokerPort, brokerDevices));
            foreach (var (name, pid, port, devices) in order)
            {
                var switches = ProcessCounters.ContextSwitches(pid);
                origin = origin.AddMinutes(3); // each reading's time is new (1 ms apart, at most 36,000/s for 5 s)
                if (origin > DateTimeOffset.UtcNow.AddMinutes(-10)) throw new InvalidOperationException("Too many rounds: readings would be dated after the run's start.");
                var sample = await Sample.MeasureAsync(pid, name == "broker" ? null : postgres.ServerProcessId, null,
                    await Generator.MqttSinglesAsync(port, devices, Round.TotalSeconds, connections, "--origin-ms", origin.ToUnixTimeMilliseconds()));
                if (round >= 0) samples[name].Add((sample, (ProcessCounters.ContextSwitches(pid) - switches) / (double)sample.Load.Units));
            }
        }
        File.Delete(brokerDevices); // (left in the temporary directory if a round fails)

        var brokerRuns = samples["broker"];
        var a = samples["A"];
        Console.WriteLine($"W1c side by side over {rounds} rounds of {Round.TotalSeconds:0} s");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  broker: {Median(brokerRuns.Select(x => x.Sample.Load.UnitsPerSecond)):F0}/s, {Median(brokerRuns.Select(x => x.Sample.ServerUsPerUnit)):F1} µs, " +
            $"context switches {Median(brokerRuns.Select(x => x.Switches)):F2} per message"));
        foreach (var (name, describe, _) in silos)
        {
            var s = samples[name];
            var paired = s.Select((x, i) => x.Sample.Load.UnitsPerSecond / a[i].Sample.Load.UnitsPerSecond).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name} ({describe}): /broker {Median(s.Select((x, i) => x.Sample.Load.UnitsPerSecond / brokerRuns[i].Sample.Load.UnitsPerSecond)):F3}, " +
                $"/A {Median(paired):F3} (quartiles {Load.Percentile(paired, 0.25):F3}-{Load.Percentile(paired, 0.75):F3}), " +
                $"silo {Median(s.Select(x => x.Sample.ServerUsPerUnit)):F1} µs, PostgreSQL {Median(s.Select(x => x.Sample.PostgresUsPerUnit)):F1} µs, " +
                $"generator {Median(s.Select(x => x.Sample.GeneratorUsPerUnit)):F1} µs, context switches {Median(s.Select(x => x.Switches)):F2} per reading"));
        }
    }

    private static double Median(IEnumerable<double> values) => Load.Percentile([.. values.Order()], 0.5);
}
