namespace HueGrains.Grains;

/// <summary>A subscription's durable state: what it delivers, where its cursor stands, and how delivery is going.</summary>
[GenerateSerializer, Alias("hue.SubscriptionState")]
public sealed class SubscriptionState
{
    /// <summary>Null: never created, or deleted.</summary>
    [Id(0)] public SubscriptionSpec? Spec { get; set; }

    /// <summary>The position of the last change delivered (or skipped by the filters): delivery resumes after it.</summary>
    [Id(1)] public long Cursor { get; set; }

    [Id(2)] public bool Paused { get; set; }

    [Id(3)] public DateTimeOffset CreatedAt { get; set; }

    [Id(4)] public DateTimeOffset? LastSuccessAt { get; set; }

    [Id(5)] public DateTimeOffset? LastFailureAt { get; set; }

    [Id(6)] public int? LastFailureStatus { get; set; }

    [Id(7)] public string? LastFailureReason { get; set; }

    [Id(8)] public int ConsecutiveFailures { get; set; }

    /// <summary>The first failure since the last success: the pause clock.</summary>
    [Id(9)] public DateTimeOffset? FailingSince { get; set; }
}
