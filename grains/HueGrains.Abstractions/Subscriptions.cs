using System.Text.Json;
using Orleans.Concurrency;

namespace HueGrains;

/// <summary>
/// What a webhook subscription narrows the feed to, beyond types and commune. Each filter concerns the types that carry
/// its field (sensor kind and alert level: sensor and alert changes; status: dossiers; category: reports); changes of
/// other types pass it.
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.SubscriptionFilters")]
public sealed record SubscriptionFilters(
    [property: Id(0)] SensorKind? SensorKind = null,
    [property: Id(1)] int? MinAlertLevel = null,
    [property: Id(2)] CaseStatus? CaseStatus = null,
    [property: Id(3)] FeedbackCategory? Category = null)
{
    /// <summary>The stored snapshot (property names as declared, enums as numbers) passes every filter that concerns it.</summary>
    public bool IsEmpty() => this is { SensorKind: null, MinAlertLevel: null, CaseStatus: null, Category: null };

    public bool Admits(ChangeRecord change)
    {
        if (IsEmpty()) return true;
        using var data = JsonDocument.Parse(change.Data);
        var root = data.RootElement;
        int? Number(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
        return change.Type switch
        {
            ChangeTypes.Sensor or ChangeTypes.Alert =>
                (SensorKind is null || Number("Kind") == (int)SensorKind) && (MinAlertLevel is null || Number("AlertLevel") >= MinAlertLevel || Number("PreviousAlertLevel") >= MinAlertLevel), // its end too
            ChangeTypes.Case => CaseStatus is null || Number("Status") == (int)CaseStatus,
            ChangeTypes.Feedback => Category is null || Number("Category") == (int)Category,
            _ => true,
        };
    }
}

/// <summary>
/// What a subscription's target receives: <see cref="Webhook"/> our change items; <see cref="NationalPortal"/> dossier
/// changes in the national public-service portal's field shape, with the data-sharing platform's credentials.
/// </summary>
public enum SubscriptionKind { Webhook, NationalPortal }

/// <summary>
/// A new subscription: where to post, what (the reader's query as <see cref="ChangeQuery"/> decided it, with a zero
/// position and limit), and who asked (the owner's role and commune decide what is disclosed; the subject may manage it).
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.SubscriptionSpec")]
public sealed record SubscriptionSpec(
    [property: Id(0)] string Url,
    [property: Id(1)] ChangeQuery Query,
    [property: Id(2)] SubscriptionFilters Filters,
    [property: Id(3)] DateTimeOffset? ExpiresAt,
    [property: Id(4)] int? MaxPerMinute,
    [property: Id(5)] string Secret,
    [property: Id(6)] Actor Owner,
    [property: Id(7)] SubscriptionKind Kind = SubscriptionKind.Webhook);

/// <summary>A subscription as its owner sees it: never the secret.</summary>
[GenerateSerializer, Immutable, Alias("hue.SubscriptionStatus")]
public sealed record SubscriptionStatus(
    [property: Id(0)] string Id,
    [property: Id(1)] string Url,
    [property: Id(2)] IReadOnlyList<string>? Types,
    [property: Id(3)] string? Commune,
    [property: Id(4)] SubscriptionFilters Filters,
    [property: Id(5)] DateTimeOffset? ExpiresAt,
    [property: Id(6)] int? MaxPerMinute,
    [property: Id(7)] long Cursor,
    [property: Id(8)] bool Paused,
    [property: Id(9)] DateTimeOffset? LastSuccessAt,
    [property: Id(10)] DateTimeOffset? LastFailureAt,
    [property: Id(11)] int? LastFailureStatus,
    [property: Id(12)] string? LastFailureReason,
    [property: Id(13)] int ConsecutiveFailures,
    [property: Id(14)] int Backlog,
    [property: Id(15)] DateTimeOffset CreatedAt,
    [property: Id(16)] string? OwnerSubject,
    [property: Id(17)] SubscriptionKind Kind = SubscriptionKind.Webhook);

/// <summary>What one attempt to post to a target came to.</summary>
[GenerateSerializer, Immutable, Alias("hue.DeliveryOutcome")]
public sealed record DeliveryOutcome(
    [property: Id(0)] bool Delivered,
    [property: Id(1)] int? Status,
    [property: Id(2)] string? Reason,
    [property: Id(3)] TimeSpan? RetryAfter,
    [property: Id(4)] bool Retryable);

/// <summary>One webhook subscription: a durable cursor on the change feed and the deliveries after it.</summary>
[Alias("hue.ISubscriptionGrain")]
public interface ISubscriptionGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<SubscriptionStatus> Create(SubscriptionSpec spec, CancellationToken ct = default);

    /// <summary>Null when there is no such subscription (never created, or deleted).</summary>
    [Alias("Status"), AlwaysInterleave]
    Task<SubscriptionStatus?> Status(CancellationToken ct = default);

    [Alias("Resume")]
    Task<SubscriptionStatus?> Resume(CancellationToken ct = default);

    /// <summary>Posts a ping (no changes) now; the cursor and failure counts do not move.</summary>
    [Alias("Test")]
    Task<DeliveryOutcome?> Test(CancellationToken ct = default);

    [Alias("Delete")]
    Task<bool> Delete(CancellationToken ct = default);

    /// <summary>Starts delivering again if it should be and is not (this activation is new, after a silo was lost).</summary>
    [Alias("Wake"), OneWay]
    Task Wake();
}

/// <summary>
/// The live subscriptions (key 0), few by nature: the per-owner cap, and the wake-up that brings back within seconds a
/// subscription whose silo was lost (each silo asks for it every few seconds; <see cref="SubscriptionOptions.WakeSeconds"/>).
/// </summary>
[Alias("hue.ISubscriptionRegistry")]
public interface ISubscriptionRegistry : IGrainWithIntegerKey
{
    /// <summary>Registers a new subscription of an owner (the token's subject); 409 when the owner has the most allowed.</summary>
    [Alias("Add")]
    Task Add(string id, string owner, CancellationToken ct = default);

    [Alias("Remove")]
    Task Remove(string id, CancellationToken ct = default);

    /// <summary>Paused or expired subscriptions are not woken.</summary>
    [Alias("SetActive")]
    Task SetActive(string id, bool active, CancellationToken ct = default);

    /// <summary>Wakes every active subscription, at most once per half wake period however many silos ask.</summary>
    [Alias("WakeAll")]
    Task WakeAll(CancellationToken ct = default);
}

/// <summary>
/// Turns stored changes into the body a webhook receives, in exactly the shape <c>GET /api/v1/changes</c> shows to the
/// subscription's owner. Implemented by the HTTP API (which owns the public JSON shape), registered in every process.
/// </summary>
public interface IWebhookPayloads
{
    Task<string> BodyAsync(string subscriptionId, string deliveryId, IReadOnlyList<ChangeRecord> changes, Actor owner, CancellationToken ct);
}
