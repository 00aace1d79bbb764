namespace HueGrains.Grains;

[GenerateSerializer, Alias("hue.FeedbackTriageState")]
public sealed class FeedbackTriageState
{
    [Id(0)] public Dictionary<string, FeedbackSummary> Waiting { get; set; } = [];
}
