using Orleans.Storage;

namespace HueGrains.Persistence;

/// <summary>
/// Grain storage that writes an entity's projection row with its state, where no database trigger does it (memory
/// mode). A row that cannot be written fails the state write, as the trigger's failure fails the transaction.
/// </summary>
public sealed class ProjectingGrainStorage(IGrainStorage inner, IProjectionWriter projections) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await inner.WriteStateAsync(stateName, grainId, grainState);
        if (grainState.State is IProjectedState { Row: { } row }) await projections.WriteAsync(row, CancellationToken.None);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}
