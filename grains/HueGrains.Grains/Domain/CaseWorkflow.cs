namespace HueGrains.Grains.Domain;

/// <summary>The legal moves of a dossier. Terminal states (returned, refused, cancelled) have none.</summary>
public static class CaseWorkflow
{
    private static readonly Dictionary<CaseStatus, CaseStatus[]> Moves = new()
    {
        [CaseStatus.Received] = [CaseStatus.Processing, CaseStatus.SupplementRequested, CaseStatus.Refused, CaseStatus.Cancelled],
        [CaseStatus.SupplementRequested] = [CaseStatus.Processing, CaseStatus.Refused, CaseStatus.Cancelled],
        [CaseStatus.Processing] = [CaseStatus.SupplementRequested, CaseStatus.ReadyToReturn, CaseStatus.Refused],
        [CaseStatus.ReadyToReturn] = [CaseStatus.Returned],
    };

    /// <summary>A processed dossier (its result handed back or refused with reasons) counts for timeliness.</summary>
    public static bool IsCompleted(CaseStatus status) => status is CaseStatus.Returned or CaseStatus.Refused;

    /// <summary>Checks that <paramref name="actor"/> may move a dossier of <paramref name="commune"/> from one state to another.</summary>
    public static void EnsureAllowed(CaseStatus from, CaseStatus to, Actor actor, string commune, string applicantId)
    {
        if (!Moves.TryGetValue(from, out var next) || !next.Contains(to))
            throw new HueConflictException($"A case cannot move from {from} to {to}.");
        var applicantCancels = to == CaseStatus.Cancelled && actor.IsCitizen(applicantId);
        if (!applicantCancels && !actor.IsOfficialOf(commune))
            throw new HueForbiddenException("Only an official of the responsible commune (or the applicant, to cancel) may change this case.");
    }

    public static Timeliness Judge(DateTimeOffset completedAt, DateTimeOffset dueAt) =>
        completedAt > dueAt ? Timeliness.Late
        : WorkingCalendar.LocalDate(completedAt) < WorkingCalendar.LocalDate(dueAt) ? Timeliness.Early
        : Timeliness.OnTime;
}
