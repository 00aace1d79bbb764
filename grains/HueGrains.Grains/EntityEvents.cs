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
    /// Writes the entity's state (and with it, its projection row). If the write fails, the change in memory is not
    /// the truth: the activation goes, and the next call reads the stored state again.
    /// </summary>
    public static async Task WriteOrReloadAsync<T>(this Grain grain, IPersistentState<T> state, CancellationToken ct)
    {
        try
        {
            await state.WriteStateAsync(ct);
        }
        catch
        {
            grain.DeactivateOnIdle();
            throw;
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
