namespace HueGrains.Grains.Domain;

/// <summary>Who may add and hide a report's photos, and how many it may have.</summary>
public static class FeedbackPhotoRules
{
    public static void EnsureMayAdd(Actor actor, string? reporterId, string? commune, int photos)
    {
        var reporter = reporterId is not null && actor.IsCitizen(reporterId);
        var official = commune is not null && actor.IsOfficialOf(commune);
        if (!reporter && !official) throw new HueForbiddenException("Only the reporter or an official of the responsible commune may add photos.");
        if (photos >= PhotoLimits.MaxPerReport)
            throw new HueConflictException($"A report has at most {PhotoLimits.MaxPerReport} photos (field photo).");
    }

    /// <summary>
    /// Officials of the responsible commune, and the city's operators and leaders for any report: a report still in the
    /// triage list has no commune, so without them nobody could hide a photo that shows a face or a number plate.
    /// </summary>
    public static void EnsureMayHide(Actor actor, string? commune, string reason)
    {
        var cityWide = actor.Role is Roles.Operator or Roles.Leader;
        if (!cityWide && (commune is null || !actor.IsOfficialOf(commune)))
            throw new HueForbiddenException("Only an official of the responsible commune, an operator or a leader may hide a photo.");
        if (string.IsNullOrWhiteSpace(reason)) throw new HueValidationException("reason", "Say why the photo is hidden.");
        if (reason.Length > PhotoLimits.MaxReason) throw new HueValidationException("reason", $"A reason is at most {PhotoLimits.MaxReason} characters.");
    }
}
