using System.Text;
using System.Text.Json;

namespace HueGrains.Api.OpenData;

/// <summary>A published table: named columns and rows of plain values, written as CSV (RFC 4180) or JSON.</summary>
public sealed record OpenDataTable(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows)
{
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
