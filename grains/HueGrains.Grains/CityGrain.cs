using HueGrains.Grains.Domain;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace HueGrains.Grains;

/// <summary>The city of Huế: the newest indicators of each of its communes, about 40 small messages per flush.</summary>
[GrainType("city")]
[ImplicitStreamSubscription(HueStreams.CommuneIndicators)]
public sealed class CityGrain(
    [PersistentState("city", "hue")] IPersistentState<CityLedger> state) : Grain, ICityGrain, IStreamSubscriptionObserver
{
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(5);
    private bool _unsaved;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Ask every commune once: this also activates them, and each reconciles from its entities.
        var snapshots = await Task.WhenAll(CityMap.Communes.Select(c => GrainFactory.GetGrain<ICommuneGrain>(c.Code).GetSnapshot(cancellationToken)));
        foreach (var snapshot in snapshots) _unsaved |= state.State.Apply(snapshot);
        this.RegisterGrainTimer(SaveAsync, new GrainTimerCreationOptions(SaveInterval, SaveInterval));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await SaveAsync(cancellationToken);

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.Create<CommuneSnapshot>().ResumeAsync((snapshot, _) =>
        {
            _unsaved |= state.State.Apply(snapshot);
            return Task.CompletedTask;
        });

    public Task<CityView> Get(CancellationToken ct) => Task.FromResult(state.State.View());

    private async Task SaveAsync(CancellationToken ct)
    {
        if (!_unsaved) return;
        _unsaved = false;
        await state.WriteStateAsync(ct);
    }
}
