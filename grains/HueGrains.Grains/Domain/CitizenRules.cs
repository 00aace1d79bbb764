using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace HueGrains.Grains.Domain;

public static partial class CitizenRules
{
    /// <summary>Checks a profile; returns it trimmed. Errors name the JSON fields of the request.</summary>
    public static CitizenProfile Normalize(CitizenProfile profile, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        var name = profile.FullName?.Trim() ?? "";
        if (name.Length is 0 or > 200) errors["fullName"] = ["Full name is required (at most 200 characters)."];
        var today = WorkingCalendar.LocalDate(now);
        if (profile.DateOfBirth > today || profile.DateOfBirth < new DateOnly(1900, 1, 1))
            errors["dateOfBirth"] = ["Date of birth must be a real date in the past."];
        if (!NationalIdPattern().IsMatch(profile.NationalId ?? ""))
            errors["nationalId"] = ["The national ID (CCCD) is exactly 12 digits."];
        var phone = (profile.Phone ?? "").Replace(" ", "", StringComparison.Ordinal);
        if (!PhonePattern().IsMatch(phone)) errors["phone"] = ["Phone is a Vietnamese number: 0 or +84 followed by 9 digits."];
        if (!Keys.IsCommune(profile.HomeCommune)) errors["homeCommune"] = [$"Unknown commune code '{profile.HomeCommune}'."];
        if (errors.Count > 0) throw new HueValidationException(errors);
        return profile with { FullName = name, Phone = phone };
    }

    /// <summary>The key of the national-ID registry: a hash, so the ID itself never becomes a grain key.</summary>
    public static string NationalIdKey(string nationalId) =>
        "nid-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes("hue-national-id:" + nationalId)));

    // \A…\z, not ^…$ ('$' also matches before a final "\n"), and ASCII [0-9], not \d (any Unicode digit): see Keys.
    [GeneratedRegex(@"\A[0-9]{12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NationalIdPattern();

    [GeneratedRegex(@"\A(0|\+84)[0-9]{9}\z", RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();
}
