namespace HueGrains.Grains.Domain;

/// <summary>The legal moves of a Hue-S report handled by its commune; rating (resolved → closed) is the reporter's.</summary>
public static class FeedbackWorkflow
{
    private static readonly Dictionary<FeedbackStatus, FeedbackStatus[]> OfficialMoves = new()
    {
        [FeedbackStatus.Submitted] = [FeedbackStatus.Assigned, FeedbackStatus.InProgress, FeedbackStatus.Resolved],
        [FeedbackStatus.Assigned] = [FeedbackStatus.InProgress, FeedbackStatus.Resolved],
        [FeedbackStatus.InProgress] = [FeedbackStatus.Resolved],
        [FeedbackStatus.Reopened] = [FeedbackStatus.Assigned, FeedbackStatus.InProgress, FeedbackStatus.Resolved],
    };

    public static void EnsureAllowed(FeedbackStatus from, FeedbackStatus to, string? answer, Actor actor, string commune)
    {
        if (!actor.IsOfficialOf(commune))
            throw new HueForbiddenException("Only an official of the responsible commune may handle this report.");
        if (!OfficialMoves.TryGetValue(from, out var next) || !next.Contains(to))
            throw new HueConflictException($"A report cannot move from {from} to {to}.");
        if (to == FeedbackStatus.Resolved && string.IsNullOrWhiteSpace(answer))
            throw new HueValidationException("answer", "Resolving a report needs the official answer.");
    }

    /// <summary>The reporter may reopen an answered report within <paramref name="window"/> of the answer.</summary>
    public static void EnsureReopenable(FeedbackStatus status, DateTimeOffset? resolvedAt, string reason, Actor actor, string? reporterId,
        TimeSpan window, DateTimeOffset now)
    {
        if (reporterId is null || !actor.IsCitizen(reporterId)) throw new HueForbiddenException("Only the reporter may reopen the report.");
        if (string.IsNullOrWhiteSpace(reason)) throw new HueValidationException("reason", "Say why the answer does not solve the problem.");
        if (status is not (FeedbackStatus.Resolved or FeedbackStatus.Closed) || resolvedAt is null)
            throw new HueConflictException($"Only an answered report can be reopened; this one is {status}.");
        if (now - resolvedAt > window)
            throw new HueConflictException($"A report can be reopened within {window.TotalDays:0} days of its answer; please submit a new report.");
    }

    public static void EnsureRatable(FeedbackStatus status, int rating, Actor actor, string? reporterId)
    {
        if (reporterId is null || !actor.IsCitizen(reporterId)) throw new HueForbiddenException("Only the reporter may rate the answer.");
        if (rating is < 1 or > 5) throw new HueValidationException("rating", "Rating is a whole number from 1 to 5.");
        if (status != FeedbackStatus.Resolved) throw new HueConflictException($"Only a resolved report can be rated; this one is {status}.");
    }
}
