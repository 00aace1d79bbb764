using System.Globalization;
using System.Text;

namespace HueGrains.Api.Endpoints;

/// <summary>One page of a newest-first list, and the opaque cursor of the next (null on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// Opaque cursors (<c>?cursor=&amp;limit=</c>): the time and id of the last item served, so pages stay stable while new
/// items arrive at the top.
/// </summary>
public static class Paging
{
    public const int MaxLimit = 1000;

    public static int Limit(int? limit) => limit switch
    {
        null => 100,
        < 1 or > MaxLimit => throw new HueValidationException("limit", "Limit is 1 to 1000."),
        _ => limit.Value,
    };

    public static PageCursor? Parse(string? cursor)
    {
        if (cursor is null) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor.Replace('-', '+').Replace('_', '/').PadRight((cursor.Length + 3) / 4 * 4, '=')));
            var parts = text.Split('|', 2);
            return new PageCursor(new DateTimeOffset(long.Parse(parts[0], CultureInfo.InvariantCulture), TimeSpan.Zero), parts[1]);
        }
        catch (Exception ex) when (ex is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new HueValidationException("cursor", "This cursor was not issued by this list; start again without one.");
        }
    }

    /// <summary>A page from items fetched with one more than the limit: the extra one only says that more follow.</summary>
    public static Page<T> Of<T>(IReadOnlyList<T> fetched, int limit, Func<T, (DateTimeOffset At, string Id)> position)
    {
        if (fetched.Count <= limit) return new Page<T>(fetched, null);
        var (at, id) = position(fetched[limit - 1]);
        var cursor = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{at.UtcTicks.ToString(CultureInfo.InvariantCulture)}|{id}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return new Page<T>([.. fetched.Take(limit)], cursor);
    }
}
