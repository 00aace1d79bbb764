using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace HueGrains.Api.Open311;

/// <summary>
/// GeoReport v2 answers in JSON (a list of objects, snake_case) or XML (a root element of items), and its errors as a
/// list of <c>{code, description}</c>. Rows are ordered dictionaries, so both formats come from one shape.
/// </summary>
public static class Open311Output
{
    public const string Json = "json";
    public const string Xml = "xml";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = null };

    public static bool IsFormat(string format) => format is Json or Xml;

    public static IResult List(string format, string root, string item, IEnumerable<IReadOnlyDictionary<string, object?>> rows, int status = 200) =>
        format == Xml
            ? Results.Text(new XElement(root, rows.Select(r => Element(item, r))).ToString(SaveOptions.DisableFormatting), "text/xml; charset=utf-8", statusCode: status)
            : Results.Json(rows, JsonOptions, "application/json; charset=utf-8", status);

    public static IResult Document(string format, string root, IReadOnlyDictionary<string, object?> row) =>
        format == Xml
            ? Results.Text(Element(root, row).ToString(SaveOptions.DisableFormatting), "text/xml; charset=utf-8")
            : Results.Json(row, JsonOptions, "application/json; charset=utf-8");

    public static IResult Error(string format, int status, params string[] descriptions) =>
        List(format, "errors", "error", descriptions.Select(d => new Dictionary<string, object?> { ["code"] = status, ["description"] = d }), status);

    private static XElement Element(string name, IReadOnlyDictionary<string, object?> row) =>
        new(name, row.Select(p => p.Value switch
        {
            IReadOnlyDictionary<string, object?> nested => Element(p.Key, nested),
            IEnumerable<IReadOnlyDictionary<string, object?>> list => new XElement(p.Key, list.Select(x => Element(p.Key.TrimEnd('s'), x))),
            IEnumerable<string> list => new XElement(p.Key, list.Select(x => new XElement(p.Key.TrimEnd('s'), XmlSafe(x)))),
            _ => new XElement(p.Key, XmlSafe(PlainText.Of(p.Value))),
        }));

    /// <summary>XML 1.0 cannot carry some characters (NUL, most control characters, lone surrogates) that JSON can: drop them.</summary>
    private static string XmlSafe(string text) =>
        text.All(XmlConvert.IsXmlChar) ? text : new string([.. text.Where(XmlConvert.IsXmlChar)]);

}
