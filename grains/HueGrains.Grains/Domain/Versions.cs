namespace HueGrains.Grains.Domain;

public static class Versions
{
    /// <summary>
    /// The next version of an entity whose state is not written on every change: wall-clock ticks, but never less than
    /// one past the last version. An activation that lost unwritten versions in a crash still moves forward.
    /// </summary>
    public static long Next(long last, DateTimeOffset now) => Math.Max(last + 1, now.UtcTicks);
}
