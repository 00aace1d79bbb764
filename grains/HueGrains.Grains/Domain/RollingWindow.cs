using System.Text.Json.Serialization;

namespace HueGrains.Grains.Domain;

/// <summary>The readings of one bucket of a <see cref="RollingWindow"/>: a struct, so a window is one array.</summary>
[GenerateSerializer, Alias("hue.WindowBucket")]
public struct WindowBucket
{
    /// <summary>The low 32 bits of the bucket's index (time / width); the window's newest index supplies the rest.</summary>
    [Id(0)] public uint Stamp { get; set; }
    [Id(1)] public int Count { get; set; }
    [Id(2)] public double Min { get; set; }
    [Id(3)] public double Max { get; set; }
    [Id(4)] public double Sum { get; set; }

    public static WindowBucket Of(long index, double value) => new() { Stamp = (uint)index, Count = 1, Min = value, Max = value, Sum = value };

    public void Add(double value)
    {
        Count++;
        Min = Math.Min(Min, value);
        Max = Math.Max(Max, value);
        Sum += value;
    }
}

/// <summary>
/// Count, min, max and mean over a sliding window of <see cref="Buckets"/> time buckets, so memory stays bounded
/// whatever the reading rate. The window is exact to one bucket width (the oldest bucket is included whole).
/// Readings are placed by their own timestamp, so a late reading still lands in the bucket it belongs to.
/// </summary>
/// <remarks>
/// A struct, held inline by <see cref="RollingStats"/> (three windows per sensor, a million sensors: no object each).
/// The buckets are a ring of structs indexed by time (bucket index modulo the ring's length); a slot whose stamp is
/// not the bucket asked for is stale and counts for nothing, so time passing needs no clean-up. The ring holds at most
/// <see cref="Buckets"/> slots but starts at one and doubles only when two live buckets would share a slot: a sensor
/// that reports once a minute keeps one slot for its last minute, not sixty.
/// </remarks>
[GenerateSerializer, Alias("hue.RollingWindow")]
public struct RollingWindow
{
    public RollingWindow(TimeSpan bucketWidth, int buckets)
    {
        BucketTicks = bucketWidth.Ticks;
        Buckets = buckets;
    }

    [Id(0)] public long BucketTicks { get; set; }
    [Id(1)] public int Buckets { get; set; }
    // Id 2 (a dictionary of bucket objects) is retired: never reuse it. Its JSON still loads, see Data.

    /// <summary>The index of the newest bucket written; slots are read relative to it.</summary>
    [Id(3)] public long Newest { get; set; }

    [Id(4)] public WindowBucket[] Slots { readonly get => _slots ?? []; set => _slots = value; }

    [NonSerialized] private WindowBucket[]? _slots; // null in a default window: no slot yet

    /// <summary>Reads the dictionary that states saved before the ring (JSON only); never written.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<long, WindowBucket>? Data
    {
        get => null;
        set
        {
            foreach (var (index, bucket) in (value ?? []).OrderBy(p => p.Key))
            {
                Newest = Math.Max(Newest, index);
                ref var slot = ref SlotFor(index, Newest - Buckets + 1);
                slot = bucket with { Stamp = (uint)index };
            }
        }
    }

    public void Add(DateTimeOffset at, double value, DateTimeOffset now)
    {
        var index = at.UtcTicks / BucketTicks;
        var newest = Math.Max(Newest, index);
        // Older than the window, or than the ring can hold beside a newer bucket (a device clock ahead of ours).
        var oldest = Math.Max(OldestIndex(now), newest - Buckets + 1);
        if (index < oldest) return;
        Newest = newest;
        ref var slot = ref SlotFor(index, oldest);
        if (IndexOf(slot) == index) slot.Add(value);
        else slot = WindowBucket.Of(index, value);
    }

    public readonly WindowStats Stats(DateTimeOffset now)
    {
        var oldest = Math.Max(OldestIndex(now), Newest - Buckets + 1);
        long count = 0;
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        foreach (var slot in Slots)
        {
            if (IndexOf(slot) < oldest) continue;
            count += slot.Count;
            min = Math.Min(min, slot.Min);
            max = Math.Max(max, slot.Max);
            sum += slot.Sum;
        }
        return count == 0 ? new WindowStats(0, null, null, null, 0) : new WindowStats(count, min, max, sum / count, sum);
    }

    private readonly long OldestIndex(DateTimeOffset now) => now.UtcTicks / BucketTicks - Buckets + 1;

    /// <summary>The full index of the bucket a slot holds, or <see cref="long.MinValue"/> for an empty slot.</summary>
    private readonly long IndexOf(in WindowBucket slot) => slot.Count == 0 ? long.MinValue : Newest - unchecked((uint)Newest - slot.Stamp);

    /// <summary>The slot of a bucket index: its own, an empty or a stale one; the ring doubles while a live bucket holds it.</summary>
    private ref WindowBucket SlotFor(long index, long oldest)
    {
        while (true)
        {
            if (Slots.Length > 0)
            {
                ref var slot = ref Slots[(int)(index % Slots.Length)];
                var held = IndexOf(slot);
                if (held == index || held < oldest || Slots.Length == Buckets) return ref slot;
            }
            Grow(oldest);
        }
    }

    /// <summary>Doubles the ring (up to <see cref="Buckets"/>) until its live buckets fall in slots of their own.</summary>
    private void Grow(long oldest)
    {
        for (var length = Math.Min(Buckets, Math.Max(1, Slots.Length * 2)); ; length = Math.Min(Buckets, length * 2))
        {
            if (Rehash(length, oldest) is { } ring)
            {
                Slots = ring;
                return;
            }
        }
    }

    /// <summary>The live buckets in a ring of <paramref name="length"/>, or null when two of them meet in one slot.</summary>
    private readonly WindowBucket[]? Rehash(int length, long oldest)
    {
        var ring = new WindowBucket[length];
        foreach (var slot in Slots)
        {
            var index = IndexOf(slot);
            if (index < oldest) continue; // stale: left behind
            ref var target = ref ring[(int)(index % length)];
            if (target.Count > 0) return null; // cannot happen at the full length: live buckets span less than it
            target = slot;
        }
        return ring;
    }
}

/// <summary>
/// The three windows a sensor answers for: the last minute, hour and day. Fields, because the windows are structs that
/// change in place: change them only through these fields (a copy of a window shares its ring and would corrupt it).
/// </summary>
[GenerateSerializer, Alias("hue.RollingStats")]
public sealed class RollingStats
{
#pragma warning disable CA1051 // fields, not properties: the windows are structs that change in place
    [Id(0), JsonInclude] public RollingWindow Minute = new(TimeSpan.FromSeconds(1), 60);
    [Id(1), JsonInclude] public RollingWindow Hour = new(TimeSpan.FromMinutes(1), 60);
    [Id(2), JsonInclude] public RollingWindow Day = new(TimeSpan.FromMinutes(15), 96);
#pragma warning restore CA1051

    public void Add(Reading reading, DateTimeOffset now)
    {
        Minute.Add(reading.At, reading.Value, now);
        Hour.Add(reading.At, reading.Value, now);
        Day.Add(reading.At, reading.Value, now);
    }

    public SensorStatistics Snapshot(DateTimeOffset now) => new(Minute.Stats(now), Hour.Stats(now), Day.Stats(now));
}
