namespace HueGrains.Grains;

[GenerateSerializer, Alias("hue.CitizenState")]
public sealed class CitizenState
{
    [Id(0)] public CitizenProfile? Profile { get; set; }
    [Id(1)] public DateTimeOffset RegisteredAt { get; set; }
    [Id(2)] public List<string> Cases { get; set; } = [];
    [Id(3)] public List<string> Feedback { get; set; } = [];
    [Id(4)] public List<ProfileVersion> Versions { get; set; } = [];
    [Id(5)] public Consents Consents { get; set; } = new();
    // Id 6 (the newest 1,000 reads of the profile) is retired: the access log is an append-only table. Never reuse it.

    /// <summary>Counter codes not yet used or expired, as hashes; at most a few at a time.</summary>
    [Id(7)] public List<PendingCounterCode> CounterCodes { get; set; } = [];

    /// <summary>Wrong counter codes tried since the last good one; too many and every pending code is void.</summary>
    [Id(8)] public int FailedCounterCodes { get; set; }
}

[GenerateSerializer, Immutable, Alias("hue.PendingCounterCode")]
public sealed record PendingCounterCode([property: Id(0)] string Hash, [property: Id(1)] DateTimeOffset ExpiresAt);
