using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace HueGrains.Bench;

/// <summary>One figure: the median of its runs with min and max, a unit, and optionally a target and a note.</summary>
public sealed record Figure(string Workload, string Name, double Median, double Min, double Max, string Unit, string? Target = null, string? Note = null);

/// <summary>Collects figures and writes bench/results/latest.md and latest.json.</summary>
public sealed class Report
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals, // a run that never recovered is +∞
    };
    private readonly List<Figure> _figures = [];
    private readonly List<string> _notes = [];
    private readonly List<(string Title, List<string> Lines)> _sections = [];

    public IReadOnlyList<Figure> Figures => _figures;

    public Figure Add(string workload, string name, IReadOnlyList<double> runs, string unit, string? target = null, string? note = null)
    {
        var sorted = runs.Order().ToList();
        var figure = new Figure(workload, name, sorted[sorted.Count / 2], sorted[0], sorted[^1], unit, target, note);
        _figures.Add(figure);
        Console.WriteLine($"  {workload} {name}: {Format(figure.Median)} {unit} (min {Format(figure.Min)}, max {Format(figure.Max)}, {runs.Count} runs)");
        return figure;
    }

    public double Median(string workload, string name) => _figures.Single(f => f.Workload == workload && f.Name == name).Median;

    public void Note(string text) => _notes.Add(text);

    /// <summary>A section of its own after the table (a workload that explains each figure against its target).</summary>
    public void Section(string title, IEnumerable<string> lines) => _sections.Add((title, [.. lines]));

    /// <param name="name">The file names: latest.md and latest.json for the full run; a workload run alone writes its own.</param>
    public async Task WriteAsync(string directory, TimeSpan elapsed, int runs, TimeSpan runLength, string name = "latest", int ingestRounds = 0)
    {
        Directory.CreateDirectory(directory);
        var machine = new
        {
            host = Environment.MachineName,
            cpu = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() : null,
            cores = Environment.ProcessorCount,
            memoryGiB = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024 / 1024, 1),
            os = RuntimeInformation.OSDescription,
            runtime = RuntimeInformation.FrameworkDescription,
            orleans = PackageVersion(typeof(Grain)),
            npgsql = PackageVersion(typeof(Npgsql.NpgsqlConnection)),
            date = DateTimeOffset.UtcNow,
        };
        await File.WriteAllTextAsync(Path.Combine(directory, $"{name}.json"), JsonSerializer.Serialize(new
        {
            machine, runs, ingestRounds, runSeconds = runLength.TotalSeconds, elapsedSeconds = Math.Round(elapsed.TotalSeconds), figures = _figures, notes = _notes,
            sections = _sections.Select(s => new { title = s.Title, lines = s.Lines }),
        }, JsonOptions));

        var md = new StringBuilder();
        md.AppendLine("# HueGrains benchmark results").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine.host}, {machine.cpu}, {machine.cores} cores, {machine.memoryGiB} GiB, {machine.os}; {machine.runtime}; Orleans {machine.orleans}; Npgsql {machine.npgsql}.");
        if (runLength > TimeSpan.Zero)
            md.AppendLine(CultureInfo.InvariantCulture, $"Run {machine.date:yyyy-MM-dd HH:mm} UTC; every figure is the median of {runs} runs of {runLength.TotalSeconds:0} s{(ingestRounds > 0 ? $", W0 and W1's of {ingestRounds} rounds" : "")} (min–max beside it); the whole run took {elapsed.TotalMinutes:0.0} min.");
        else
            md.AppendLine(CultureInfo.InvariantCulture, $"Run {machine.date:yyyy-MM-dd HH:mm} UTC; one run; it took {elapsed.TotalMinutes:0.0} min.");
        md.AppendLine("Load generators, PostgreSQL 15 and the platform share the same cores on loopback.").AppendLine();
        md.AppendLine("| workload | figure | median | min–max | unit | target |");
        md.AppendLine("| --- | --- | ---: | ---: | --- | --- |");
        foreach (var f in _figures)
            md.AppendLine(CultureInfo.InvariantCulture, $"| {f.Workload} | {f.Name} | {Format(f.Median)} | {Format(f.Min)}–{Format(f.Max)} | {f.Unit} | {f.Target ?? ""} |");
        foreach (var (title, lines) in _sections)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
            md.AppendLine();
            foreach (var line in lines) md.AppendLine(line);
        }
        if (_notes.Count > 0)
        {
            md.AppendLine().AppendLine("## Notes").AppendLine();
            foreach (var note in _notes) md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }
        await File.WriteAllTextAsync(Path.Combine(directory, $"{name}.md"), md.ToString());
    }

    /// <summary>
    /// Puts the results of a workload run alone (<c>{name}.md</c>) into latest.md too, as its own section between
    /// markers, replacing the previous one: latest.md then has the newest figures of every workload, each with its run.
    /// </summary>
    public static async Task MergeIntoLatestAsync(string directory, string name)
    {
        var latestPath = Path.Combine(directory, "latest.md");
        var latest = File.Exists(latestPath) ? await File.ReadAllTextAsync(latestPath) : "# HueGrains benchmark results\n";
        var alone = (await File.ReadAllTextAsync(Path.Combine(directory, $"{name}.md")))
            .Replace("# HueGrains benchmark results", $"# {name} run alone (also in {name}.md)", StringComparison.Ordinal)
            .Replace("\n#", "\n##", StringComparison.Ordinal);
        var (begin, end) = ($"<!-- {name} run alone -->", $"<!-- end of {name} run alone -->");
        var block = $"{begin}\n#{alone.TrimEnd()}\n{end}";
        var at = latest.IndexOf(begin, StringComparison.Ordinal);
        var after = latest.IndexOf(end, StringComparison.Ordinal);
        latest = at >= 0 && after > at
            ? string.Concat(latest.AsSpan(0, at), block, latest.AsSpan(after + end.Length))
            : latest.TrimEnd() + "\n\n" + block + "\n";
        await File.WriteAllTextAsync(latestPath, latest);
    }

    private static string? PackageVersion(Type type) =>
        System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(type.Assembly)
            ?.InformationalVersion.Split('+', ' ')[0].TrimEnd('.');

    public static string Format(double value) =>
        double.IsNaN(value) ? "–" : Math.Abs(value) >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.##", CultureInfo.InvariantCulture);
}
