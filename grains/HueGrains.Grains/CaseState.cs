namespace HueGrains.Grains;

[GenerateSerializer, Alias("hue.CaseState")]
public sealed class CaseState : IProjectedState
{
    [Id(13)] public string Id { get; set; } = "";
    [Id(0)] public string? Procedure { get; set; }
    [Id(1)] public string CitizenId { get; set; } = "";
    [Id(2)] public string Commune { get; set; } = "";
    [Id(3)] public CaseStatus Status { get; set; }
    [Id(4)] public Dictionary<string, string> Form { get; set; } = [];
    [Id(5)] public DateTimeOffset FiledAt { get; set; }
    [Id(6)] public DateTimeOffset DueAt { get; set; }
    [Id(7)] public DateTimeOffset? PausedAt { get; set; }
    [Id(8)] public DateTimeOffset? CompletedAt { get; set; }
    [Id(9)] public Timeliness? Timeliness { get; set; }
    [Id(10)] public List<HistoryEntry> History { get; set; } = [];
    [Id(11)] public long Version { get; set; }
    [Id(12)] public bool Overdue { get; set; }

    /// <summary>The fingerprint of the idempotent request that filed the dossier, if it carried a key.</summary>
    [Id(14)] public string? RequestHash { get; set; }

    /// <summary>
    /// The dossier's projection row, written with this state (JSON "Row": a trigger copies it in PostgreSQL). Times are
    /// UTC, as PostgreSQL gives them back, so both modes answer alike.
    /// </summary>
    public CaseRow? Row => Procedure is null ? null : new CaseRow(Id, Version, Commune, Procedure, CitizenId, Status, FiledAt.ToUniversalTime(),
        DueAt.ToUniversalTime(), CompletedAt?.ToUniversalTime(), Status.IsOpen() ? null : (CompletedAt ?? History[^1].At).ToUniversalTime(),
        Overdue, History[^1].At.ToUniversalTime());

    IProjectionRow? IProjectedState.Row => Row;
}
