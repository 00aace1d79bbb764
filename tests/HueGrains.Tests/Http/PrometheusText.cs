using System.Globalization;
using System.Text.RegularExpressions;

namespace HueGrains.Tests.Http;

/// <summary>One sample of a Prometheus text exposition: name, labels, value.</summary>
public sealed record PromSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A metric family: its TYPE, HELP and samples.</summary>
public sealed record PromFamily(string Name, string Type, string? Help, List<PromSample> Samples);

/// <summary>
/// A strict parser of the Prometheus text format 0.0.4: HELP/TYPE comments, samples with escaped label values and
/// float values (+Inf, -Inf, NaN), optional timestamps; histogram samples (_bucket, _sum, _count) belong to their family.
/// Any line that does not follow the format throws.
/// </summary>
public static partial class PrometheusText
{
    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+(?<ts>-?\d+))?$")]
    private static partial Regex Sample();

    [GeneratedRegex(@"\G\s*(?<name>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""\s*(,|$)")]
    private static partial Regex Label();

    public static Dictionary<string, PromFamily> Parse(string text)
    {
        var families = new Dictionary<string, PromFamily>();
        PromFamily Family(string name) => families.TryGetValue(name, out var f) ? f : families[name] = new PromFamily(name, "untyped", null, []);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line == "# EOF") continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ', 2);
                if (parts.Length != 2 || parts[1] is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                    throw new FormatException($"Bad TYPE line: {line}");
                families[parts[0]] = Family(parts[0]) with { Type = parts[1] };
                continue;
            }
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ', 2);
                families[parts[0]] = Family(parts[0]) with { Help = parts.Length > 1 ? parts[1] : "" };
                continue;
            }
            if (line.StartsWith('#')) continue;
            var match = Sample().Match(line);
            if (!match.Success) throw new FormatException($"Bad sample line: {line}");
            var labels = new Dictionary<string, string>();
            var labelText = match.Groups["labels"].Value;
            var position = 0;
            while (position < labelText.Length)
            {
                var label = Label().Match(labelText, position);
                if (!label.Success) throw new FormatException($"Bad labels in: {line}");
                labels[label.Groups["name"].Value] = Regex.Unescape(label.Groups["value"].Value);
                position = label.Index + label.Length;
            }
            var name = match.Groups["name"].Value;
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            var family = new[] { "_bucket", "_sum", "_count" }.Select(s => name.EndsWith(s, StringComparison.Ordinal) ? name[..^s.Length] : null)
                .FirstOrDefault(f => f is not null && families.TryGetValue(f, out var known) && known.Type is "histogram" or "summary") ?? name;
            Family(family).Samples.Add(new PromSample(name, labels, value));
        }
        return families;
    }
}
