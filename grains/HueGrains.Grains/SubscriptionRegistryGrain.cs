using Microsoft.Extensions.Options;

namespace HueGrains.Grains;

/// <summary>The live subscriptions, for the per-owner cap and to wake them after a silo is lost.</summary>
[GrainType("subscription-registry")]
public sealed class SubscriptionRegistryGrain(
    [PersistentState("subscription-registry", "hue")] IPersistentState<SubscriptionRegistryState> state,
    IOptions<SubscriptionOptions> options,
    TimeProvider clock) : Grain, ISubscriptionRegistry
{
    private DateTimeOffset lastWake;

    private Dictionary<string, SubscriptionEntry> Subscriptions => state.State.Subscriptions;

    public async Task Add(string id, string owner, CancellationToken ct)
    {
        var max = options.Value.MaxPerOwner;
        if (Subscriptions.Values.Count(s => s.Owner == owner) >= max)
            throw new HueConflictException($"You have {max} subscriptions already, the most allowed; delete one first. / Bạn đã có {max} đăng ký, mức tối đa; hãy xóa bớt một đăng ký.");
        Subscriptions[id] = new SubscriptionEntry(owner, Active: true);
        await state.WriteStateAsync(ct);
    }

    public async Task Remove(string id, CancellationToken ct)
    {
        if (Subscriptions.Remove(id)) await state.WriteStateAsync(ct);
    }

    public async Task SetActive(string id, bool active, CancellationToken ct)
    {
        if (!Subscriptions.TryGetValue(id, out var entry) || entry.Active == active) return;
        Subscriptions[id] = entry with { Active = active };
        await state.WriteStateAsync(ct);
    }

    public Task WakeAll(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now - lastWake < TimeSpan.FromSeconds(options.Value.WakeSeconds / 2.0)) return Task.CompletedTask;
        lastWake = now;
        // One-way calls: a subscription busy delivering (or calling this registry) is never waited for.
        foreach (var (id, entry) in Subscriptions)
            if (entry.Active) _ = GrainFactory.GetGrain<ISubscriptionGrain>(id).Wake();
        return Task.CompletedTask;
    }
}
