namespace HueGrains.Grains;

/// <summary>The live subscriptions: id → owner and whether it delivers (not paused, not expired).</summary>
[GenerateSerializer, Alias("hue.SubscriptionRegistryState")]
public sealed class SubscriptionRegistryState
{
    [Id(0)] public Dictionary<string, SubscriptionEntry> Subscriptions { get; set; } = [];
}

[GenerateSerializer, Alias("hue.SubscriptionEntry")]
public sealed record SubscriptionEntry([property: Id(0)] string Owner, [property: Id(1)] bool Active);
