using HueGrains.Grains.Domain;

namespace HueGrains.Grains;

[GenerateSerializer, Alias("hue.CommuneState")]
public sealed class CommuneState
{
    [Id(0)] public CommuneLedger Ledger { get; set; } = new();
    [Id(1)] public long Version { get; set; }
}
