using System.Text;
using System.Text.Json;

namespace HueGrains.Api.OpenData;

/// <summary>A published table: named columns and rows of plain values, written as CSV (RFC 4180) or JSON.</summary>
public sealed record OpenDataTable(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows)
{
    /// <summary>Counts of 1–4 are withheld (null), so that no one can be singled out; 0 and 5+ are published.</summary>
    public const int SuppressBelow = 5;

    public static int? Suppress(int count) => count is > 0 and < SuppressBelow ? null : count;

    /// <summary>A rate is published only when it rests on at least <see cref="SuppressBelow"/> items.</summary>
    public static double? Suppress(double? rate, int basis) => basis < SuppressBelow ? null : rate;

    public string ToCsv()
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', Columns.Select(Quote)).Append("\r\n");
        foreach (var row in Rows) csv.AppendJoin(',', row.Select(v => Quote(PlainText.Of(v)))).Append("\r\n");
        return csv.ToString();
    }

    public string ToJson(JsonSerializerOptions options) =>
        JsonSerializer.Serialize(Rows.Select(r => Columns.Select((c, i) => (c, r[i])).ToDictionary(p => p.c, p => p.Item2)), options);


    private static string Quote(string text) =>
        text.IndexOfAny([',', '"', '\r', '\n']) < 0 ? text : $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
