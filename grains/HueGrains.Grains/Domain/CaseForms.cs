namespace HueGrains.Grains.Domain;

/// <summary>Once-only: the profile answers what it can; the applicant supplies only what is not on file.</summary>
public static class CaseForms
{
    /// <param name="profile">The applicant's profile, or null when they have not consented to its reuse.</param>
    public static Dictionary<string, string> Prefill(Procedure procedure, CitizenProfile? profile, IReadOnlyDictionary<string, string>? given, int maxLength)
    {
        given ??= new Dictionary<string, string>();
        var asked = procedure.AskedFields(profileReused: profile is not null);
        var errors = new Dictionary<string, string[]>();
        foreach (var key in given.Keys.Where(k => !asked.Contains(k)))
            errors[$"form.{key}"] = [procedure.ProfileFields.Contains(key)
                ? "This field comes from the citizen's profile; it is not asked again."
                : $"Procedure {procedure.Code} has no field '{key}'."];
        foreach (var field in asked)
        {
            if (!given.TryGetValue(field, out var value) || string.IsNullOrWhiteSpace(value))
                errors[$"form.{field}"] = ["This field is required."];
            else if (value.Length > maxLength)
                errors[$"form.{field}"] = [$"At most {maxLength} characters."];
        }
        if (errors.Count > 0) throw new HueValidationException(errors);

        var form = profile is null ? [] : procedure.ProfileFields.ToDictionary(f => f, f => profile.Field(f) ?? "");
        foreach (var field in asked) form[field] = given[field].Trim();
        return form;
    }
}
