namespace HueGrains.Persistence;

/// <summary>
/// Every read of a citizen's personal data by someone else, kept whole: a legal record, appended and never changed
/// (PostgreSQL refuses updates and deletes), read newest first with the cursor contract.
/// </summary>
public interface IAccessLog
{
    Task AppendAsync(string citizenId, AccessEntry entry, CancellationToken ct);

    /// <summary>At most <paramref name="limit"/> entries older than <paramref name="after"/>, newest first.</summary>
    Task<IReadOnlyList<AccessEntry>> ReadAsync(string citizenId, PageCursor? after, int limit, CancellationToken ct);
}
