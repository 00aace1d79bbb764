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
    [Id(6)] public List<AccessEntry> Accesses { get; set; } = [];
}
