namespace HueGrains.Grains;

[GenerateSerializer, Alias("hue.NationalIdState")]
public sealed class NationalIdState
{
    [Id(0)] public string? CitizenId { get; set; }
}
