using System.Collections.Concurrent;
using System.Text.Json;

namespace HueGrains.Api.Endpoints;

/// <summary>
/// The JSON of the city's and the communes' views, serialized once per view: the grains keep a view until something
/// changes and hand the same instance to every in-process caller, so a GET under load is a reference check and a copy
/// of bytes, not a serialization (and, for the public, a second pass through <see cref="Disclosure"/>). An API node
/// that is a remote client receives a new instance per call and serializes as before.
/// </summary>
public sealed class ViewBytes
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The view's bytes for a reader who sees exact counts, or the public's coarsened ones.</summary>
    public byte[] Of(string key, object view, bool exact)
    {
        if (!_entries.TryGetValue(key, out var entry) || !ReferenceEquals(entry.View, view))
            _entries[key] = entry = new Entry(view);
        return exact ? entry.Exact : entry.Public;
    }

    /// <summary>An answer as the endpoints gave it: 200, <c>application/json; charset=utf-8</c>.</summary>
    public IResult Ok(string key, object view, ClaimsPrincipal user) =>
        TypedResults.Bytes(Of(key, view, PublicFigures.SeesExactCounts(user)), "application/json; charset=utf-8");

    private sealed class Entry(object view)
    {
        private byte[]? _exact, _public;

        public object View { get; } = view;

        public byte[] Exact => _exact ??= JsonSerializer.SerializeToUtf8Bytes(View, View.GetType(), HueJson.Options);

        public byte[] Public => _public ??= PublicFigures.Coarsen(View);
    }
}
