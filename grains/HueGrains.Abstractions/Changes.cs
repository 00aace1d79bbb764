namespace HueGrains;

/// <summary>What the change feed carries (<c>type</c> of each change).</summary>
public static class ChangeTypes
{
    public const string Case = "case";
    public const string Feedback = "feedback";
    public const string Sensor = "sensor";
    public const string Alert = "alert";
    public const string Commune = "commune";
    public const string City = "city";

    public static readonly IReadOnlyList<string> All = [Alert, Case, Feedback, Sensor, Commune, City];

    /// <summary>Dossiers are for the officials of their commune (and city-wide roles); everything else is public.</summary>
    public static readonly IReadOnlyList<string> Public = [Alert, Feedback, Sensor, Commune, City];
}

/// <summary>
/// One change, as appended in commit order: the entity, its version and its public snapshot as JSON (the projection row
/// without personal fields: property names as declared, enums as numbers; or the indicators of a commune or the city).
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.ChangeRecord")]
public sealed record ChangeRecord(
    [property: Id(0)] long Position,
    [property: Id(1)] string Type,
    [property: Id(2)] string EntityId,
    [property: Id(3)] string? Commune,
    [property: Id(4)] long Version,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] string Data);

/// <summary>
/// Changes after a position, oldest first. <see cref="Types"/> null: all. <see cref="CaseCommunes"/>: the communes whose
/// dossiers the reader may see (null: every commune's; empty: none).
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.ChangeQuery")]
public sealed record ChangeQuery(
    [property: Id(0)] long After,
    [property: Id(1)] IReadOnlyList<string>? Types,
    [property: Id(2)] string? Commune,
    [property: Id(3)] int Limit,
    [property: Id(4)] IReadOnlyList<string>? CaseCommunes)
{
    public bool Admits(ChangeRecord change) =>
        change.Position > After
        && (Types is null || Types.Contains(change.Type))
        && (Commune is null || change.Commune == Commune)
        && (change.Type != ChangeTypes.Case || CaseCommunes is null || change.Commune is { } c && CaseCommunes.Contains(c));
}

/// <summary>A page of the feed, and the position the oldest change still kept follows (older cursors lost changes).</summary>
[GenerateSerializer, Immutable, Alias("hue.ChangePage")]
public sealed record ChangePage(
    [property: Id(0)] IReadOnlyList<ChangeRecord> Items,
    [property: Id(1)] long ForgottenThrough,
    [property: Id(2)] long Head);
