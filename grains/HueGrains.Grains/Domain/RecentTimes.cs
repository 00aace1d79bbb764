using System.Text.Json;
using System.Text.Json.Serialization;

namespace HueGrains.Grains.Domain;

/// <summary>
/// The newest reading times of a sensor (UTC ticks), at most <see cref="Capacity"/>: a reading at one of them is a
/// duplicate. A ring over one array that grows to the capacity as readings come; found by a vectorised scan, which at
/// this size costs less than a hash set and its entries. Stored as JSON as before: an array, oldest first.
/// </summary>
[GenerateSerializer, Alias("hue.RecentTimes"), JsonConverter(typeof(RecentTimesJson))]
public sealed class RecentTimes
{
    public const int Capacity = 256;

    /// <summary>The ring; an unused slot is 0, never a reading's time.</summary>
    [Id(0)] private long[] _ticks = [];

    /// <summary>Where the next time goes; past the end until the ring is full, then around.</summary>
    [Id(1)] private int _next;

    public int Count => _ticks.AsSpan().Length - _ticks.AsSpan().Count(0L);

    public bool Contains(long ticks) => ticks != 0 && _ticks.AsSpan().Contains(ticks);

    /// <summary>Remembers a time; false if it was already there.</summary>
    public bool Add(long ticks)
    {
        if (Contains(ticks)) return false;
        if (_next == _ticks.Length)
        {
            if (_ticks.Length < Capacity) Array.Resize(ref _ticks, Math.Min(Capacity, Math.Max(4, _ticks.Length * 2)));
            else _next = 0; // full: the oldest goes
        }
        _ticks[_next++] = ticks;
        return true;
    }

    /// <summary>Oldest first: from the next slot round to the last written, past the unused ones.</summary>
    public IEnumerable<long> InOrder()
    {
        for (var i = 0; i < _ticks.Length; i++)
        {
            var ticks = _ticks[(_next + i) % _ticks.Length];
            if (ticks != 0) yield return ticks;
        }
    }

    private sealed class RecentTimesJson : JsonConverter<RecentTimes>
    {
        public override RecentTimes Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var recent = new RecentTimes();
            if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("Recent reading times are an array of ticks.");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) recent.Add(reader.GetInt64());
            return recent;
        }

        public override void Write(Utf8JsonWriter writer, RecentTimes value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var ticks in value.InOrder()) writer.WriteNumberValue(ticks);
            writer.WriteEndArray();
        }
    }
}
