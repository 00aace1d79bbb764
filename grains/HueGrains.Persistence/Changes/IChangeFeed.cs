namespace HueGrains.Persistence;

/// <summary>
/// The change feed (deploy/sql/009 in PostgreSQL, memory otherwise). Dossiers, reports and sensors are appended with
/// their state write (by the trigger, or by the memory storage); indicators by the commune and city grains.
/// </summary>
public interface IChangeFeed
{
    /// <param name="data">The public snapshot as JSON.</param>
    Task AppendAsync(string type, string entityId, string? commune, long version, string data, CancellationToken ct);

    Task<ChangePage> ReadAsync(ChangeQuery query, CancellationToken ct);

    /// <summary>Deletes changes of entities older than one instant and of indicators older than another; returns how many went.</summary>
    Task<int> ForgetAsync(DateTimeOffset entitiesBefore, DateTimeOffset indicatorsBefore, CancellationToken ct);
}
