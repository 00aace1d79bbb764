using System.Text;

namespace HueGrains;

/// <summary>
/// Text from a client as a log field: control characters escaped (a newline cannot start a forged line) and the
/// length bounded. Log identifiers as structured fields passed through this, never inside a message.
/// </summary>
public static class LogText
{
    public const int MaxLength = 128;

    public static string Escape(string? text)
    {
        if (text is null) return "(none)";
        var cut = text.Length > MaxLength;
        var sb = new StringBuilder(Math.Min(text.Length, MaxLength) + 8);
        foreach (var c in cut ? text.AsSpan(0, MaxLength) : text.AsSpan())
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029') sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return cut ? sb.Append('…').ToString() : sb.ToString();
    }
}
