using System.Diagnostics;
using System.Text;
using HueGrains.Testing;

namespace HueGrains.Bench;

/// <summary>
/// A top-frames profile of the shipped silo during W1b, or W1c with <c>--mqtt</c> (dotnet-trace, sampled thread time),
/// written to bench/results/w1b-profile-{label}.md (w1c-…): the same load, traced for 30 s after 5 s of warm-up. The silo's
/// process id is printed first, for a profiler of one's own (perf) to attach during the warm-up; with the label
/// <see cref="External"/> nothing else traces it.
/// </summary>
public static class Profile
{
    /// <summary>The label for a run without dotnet-trace: the load alone, for a profiler of one's own (perf).</summary>
    public const string External = "external";

    public static async Task RunAsync(ThrowawayPostgres postgres, int sensors, string label, bool mqtt)
    {
        var workload = mqtt ? "w1c" : "w1b";
        var trace = label == External ? "" : RequiredDotnetTrace();
        await using var silo = await ShippedSilo.StartAsync(postgres, sensors);
        await silo.SendOneReadingEachAsync();
        if (label == External)
        {
            // Idle first: what the silo spends on its own (timers, stream polls), for the profiler to see apart.
            var idle = ProcessCounters.CpuSeconds(silo.ProcessId);
            Console.WriteLine($"Idle for 20 s; the silo is process {silo.ProcessId}");
            await Task.Delay(TimeSpan.FromSeconds(20));
            Console.WriteLine($"Idle: {(ProcessCounters.CpuSeconds(silo.ProcessId) - idle) * 5:F1}% of a core");
        }
        await using var load = mqtt
            ? await Generator.MqttSinglesAsync(silo.Process.MqttPort, silo.DevicesFile, 40)
            : await Generator.StartAsync("http", "--port", silo.Process.HttpPort, "--kind", "single", "--connections", 64, "--seconds", 40,
                "--devices", silo.DevicesFile);
        var file = Path.Combine(Path.GetTempPath(), $"{workload}-{label}-{Guid.NewGuid():N}.nettrace");
        var cpu = ProcessCounters.CpuSeconds(silo.ProcessId);
        await load.GoAsync();
        Console.WriteLine($"Load running; the silo is process {silo.ProcessId}");
        await Task.Delay(5000);
        if (label == External)
        {
            var loaded = await load.ResultAsync();
            Console.WriteLine($"{loaded.Describe()}; silo CPU {(ProcessCounters.CpuSeconds(silo.ProcessId) - cpu) * 1e6 / loaded.Units:N1} µs per reading");
            return;
        }
        Console.WriteLine($"Tracing the silo (process {silo.ProcessId}) for 30 s");
        await Run(trace, "collect", "-p", silo.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--profile", "dotnet-common,dotnet-sampled-thread-time",
            "--duration", "00:00:00:30", "-o", file);
        var result = await load.ResultAsync();
        var siloUs = (ProcessCounters.CpuSeconds(silo.ProcessId) - cpu) * 1e6 / result.Units;
        var md = new StringBuilder();
        md.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"# {workload.ToUpperInvariant()} profile ({label}): the shipped silo under {(mqtt ? "MQTT QoS 1" : "HTTP")} single readings").AppendLine();
        md.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores. Load: bench/HueGrains.LoadGen, {(mqtt ? Generator.MqttDevices : 64)} connections, " +
            $"single readings over {sensors:N0} active devices (one reading each first), 40 s: {result.Describe()}; silo CPU {siloUs:N0} µs per reading (with the tracing overhead).");
        md.AppendLine("Trace: `dotnet-trace collect --profile dotnet-common,dotnet-sampled-thread-time` for 30 s after 5 s of warm-up. " +
            "Sampled *thread time*: threads blocked in waits (thread pool, sockets, timers) count too, so read the frames below the waits. " +
            $"Produce it again with `dotnet run -c Release --project bench/HueGrains.Bench -- --profile {label}{(mqtt ? " --mqtt" : "")}`.").AppendLine();
        md.AppendLine("## Top 40 frames by inclusive time").AppendLine().AppendLine("```");
        md.AppendLine(await Run(trace, "report", file, "topN", "-n", "40", "--inclusive"));
        md.AppendLine("```").AppendLine().AppendLine("## Top 40 frames by exclusive time").AppendLine().AppendLine("```");
        md.AppendLine(await Run(trace, "report", file, "topN", "-n", "40"));
        md.AppendLine("```");
        var output = Path.Combine(Repository.Root(), "bench", "results", $"{workload}-profile-{label}.md");
        await File.WriteAllTextAsync(output, md.ToString());
        File.Delete(file);
        Console.WriteLine($"Wrote {output}");
    }

    /// <summary>dotnet-trace on the PATH or in ~/.dotnet/tools, installed as a global tool if missing.</summary>
    private static string RequiredDotnetTrace()
    {
        var tools = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-trace");
        if (RequiredTool.OnPath("dotnet-trace") is { } onPath) return onPath;
        if (!File.Exists(tools)) Run("dotnet", "tool", "install", "-g", "dotnet-trace").GetAwaiter().GetResult();
        return tools;
    }

    private static async Task<string> Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await error}");
        return (await output).TrimEnd();
    }
}
