namespace HueGrains;

public static class Roles
{
    public const string Citizen = "citizen";
    public const string Official = "official";
    public const string Leader = "leader";
    public const string Operator = "operator";
    public const string Device = "device";

    public static readonly string[] All = [Citizen, Official, Leader, Operator, Device];
}

/// <summary>Who acts: a role plus the commune (officials) or citizen id (citizens) it is bound to. Never a name.</summary>
[GenerateSerializer, Immutable, Alias("hue.Actor")]
public sealed record Actor(
    [property: Id(0)] string Role,
    [property: Id(1)] string? Commune = null,
    [property: Id(2)] string? CitizenId = null,
    [property: Id(3)] string? Subject = null)
{
    public bool IsCitizen(string citizenId) => Role == Roles.Citizen && CitizenId == citizenId;

    public bool IsOfficialOf(string commune) => Role == Roles.Official && Commune == commune;
}

/// <summary>One step in an entity's history: the status it entered, when, by whom, and an optional note.</summary>
[GenerateSerializer, Immutable, Alias("hue.HistoryEntry")]
public sealed record HistoryEntry(
    [property: Id(0)] string Status,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string ActorRole,
    [property: Id(3)] string? Note);
