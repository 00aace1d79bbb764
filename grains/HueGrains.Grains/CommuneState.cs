namespace HueGrains.Grains;

/// <summary>
/// All a commune persists: the version of its last indicators, so a new activation on a silo whose clock lags still
/// publishes newer ones. Everything it counts is rebuilt from the projections on activation.
/// </summary>
[GenerateSerializer, Alias("hue.CommuneState")]
public sealed class CommuneState
{
    // Id 0 (the whole ledger of every entity ever seen) is retired: never reuse it.
    [Id(1)] public long Version { get; set; }
}
