using System.Text.Json;

namespace HueGrains.Api.Endpoints;

/// <summary>What a webhook target receives: <c>changes</c> exactly as <c>GET /api/v1/changes</c> shows them to the owner.</summary>
public sealed record WebhookDelivery(string SubscriptionId, string DeliveryId, IReadOnlyList<ChangeItem> Changes);

/// <summary>Renders deliveries with <see cref="ChangesApi.Published"/>, disclosed for the subscription owner's role.</summary>
public sealed class WebhookPayloads(IGrainFactory grains) : IWebhookPayloads
{
    public async Task<string> BodyAsync(string subscriptionId, string deliveryId, IReadOnlyList<ChangeRecord> changes, Actor owner, CancellationToken ct)
    {
        var exact = PublicFigures.SeesExactCounts(owner);
        var city = !exact && changes.Any(c => c.Type == ChangeTypes.City) ? await grains.City().Get(ct) : null;
        var items = changes.Select(c => new ChangeItem(ChangesApi.Cursor(c.Position), c.Type, c.EntityId, c.Commune, c.Version, c.At,
            ChangesApi.Published(c, exact, city))).ToList();
        return JsonSerializer.Serialize(new WebhookDelivery(subscriptionId, deliveryId, items), HueJson.Options);
    }
}
