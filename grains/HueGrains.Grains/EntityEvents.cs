using Microsoft.Extensions.Logging;

namespace HueGrains.Grains;

/// <summary>How a citizen-facing entity (case, feedback) tells its commune that it changed.</summary>
internal static partial class EntityEvents
{
    /// <summary>History entries kept in grain state; the full audit trail belongs in the database.</summary>
    public const int MaxHistory = 100;

    /// <summary>
    /// Publishes the entity's snapshot to its commune. The entity's own state is already written, so a failure here
    /// is logged, not thrown: the commune's reconcile picks the change up from the entity.
    /// </summary>
    public static async Task PublishAsync<T>(this Grain grain, string streamNamespace, string commune, T snapshot, ILogger log)
        where T : IEntitySnapshot
    {
        try
        {
            await grain.GetStreamProvider(HueStreams.Provider)
                .GetStream<T>(StreamId.Create(streamNamespace, commune)).OnNextAsync(snapshot);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPublishFailed(log, snapshot.EntityId, commune, ex);
        }
    }

    /// <summary>
    /// Writes the entity's state (and with it, its projection row). A write that fails may still have committed (a
    /// timeout after the commit): the stored state is read back, and if it holds this write's <paramref name="version"/>,
    /// the write happened and the caller goes on (to publish it, so its commune counts it). Otherwise the change in
    /// memory is not the truth: the activation goes, and the next call reads the stored state again.
    /// </summary>
    public static async Task WriteOrReloadAsync<T>(this Grain grain, IPersistentState<T> state, Func<T, long> version, CancellationToken ct)
    {
        var intended = version(state.State);
        try
        {
            await state.WriteStateAsync(ct);
        }
        catch (Exception ex)
        {
            // A conflict is known not to be this write (another activation wrote this version): never "committed anyway".
            if (ex is not Orleans.Storage.InconsistentStateException && await CommittedAnywayAsync(state, version, intended)) return;
            grain.DeactivateOnIdle();
            throw;
        }
    }

    internal static async Task<bool> CommittedAnywayAsync<T>(IPersistentState<T> state, Func<T, long> version, long intended)
    {
        try
        {
            await state.ReadStateAsync(CancellationToken.None);
            return version(state.State) == intended;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false; // still unreachable: the next activation reads what is stored
        }
    }

    public static void Append(List<HistoryEntry> history, HistoryEntry entry)
    {
        history.Add(entry);
        if (history.Count > MaxHistory) history.RemoveAt(1); // keep the first entry: when and how it began
    }

    [LoggerMessage(LogLevel.Warning, "Entity {EntityId} could not notify commune {Commune}; reconcile will catch up")]
    private static partial void LogPublishFailed(ILogger log, string entityId, string commune, Exception ex);
}
