namespace HueGrains.Grains.Domain;

public static class FeedbackRules
{
    public const int MaxPhotos = 5;

    /// <summary>Checks a report; returns it trimmed. Errors name the JSON fields of the request.</summary>
    public static FeedbackReport Normalize(FeedbackReport report, int maxText)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Enum.IsDefined(report.Category)) errors["category"] = ["Unknown category."];
        var description = report.Description?.Trim() ?? "";
        if (description.Length is 0 || description.Length > maxText) errors["description"] = [$"A description is required (at most {maxText} characters)."];
        if (report.Commune is null && report.Latitude is null)
            errors["commune"] = ["Give the commune, or the place's latitude and longitude so the city can route the report."];
        else if (report.Commune is not null && !Keys.IsCommune(report.Commune)) errors["commune"] = [$"Unknown commune code '{report.Commune}'."];
        if (report.Latitude is { } lat && (!double.IsFinite(lat) || lat is < -90 or > 90)) errors["latitude"] = ["Latitude must be within -90..90."];
        if (report.Longitude is { } lon && (!double.IsFinite(lon) || lon is < -180 or > 180)) errors["longitude"] = ["Longitude must be within -180..180."];
        if ((report.Latitude is null) != (report.Longitude is null)) errors["latitude"] = ["Give both latitude and longitude, or neither."];
        if (report.Address is { Length: > 500 }) errors["address"] = ["An address is at most 500 characters."];
        var photos = report.PhotoUrls ?? [];
        if (photos.Count > MaxPhotos) errors["photoUrls"] = [$"At most {MaxPhotos} photos."];
        for (var i = 0; i < photos.Count; i++)
        {
            if (photos[i] is not { Length: <= 500 } url || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
                errors[$"photoUrls[{i}]"] = ["A photo reference is an http(s) URL of at most 500 characters."];
        }
        if (errors.Count > 0) throw new HueValidationException(errors);
        return report with { Description = description, Address = report.Address?.Trim(), PhotoUrls = photos.Count == 0 ? null : [.. photos] };
    }
}
