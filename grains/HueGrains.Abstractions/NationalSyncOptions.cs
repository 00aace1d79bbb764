namespace HueGrains;

/// <summary>
/// Configuration section <c>Hue:NationalSync</c>: the credentials the province's data-sharing platform (LGSP) issued
/// for relaying dossier changes to the national public-service portal. Read at each delivery (never stored with a
/// subscription), so a rotated key takes effect without touching subscriptions. Never logged.
/// </summary>
public sealed class NationalSyncOptions
{
    public const string Section = "Hue:NationalSync";

    public string AccessKey { get; set; } = "";

    public string SecretKey { get; set; } = "";

    /// <summary>The application name the platform registered us under (optional, sent when set).</summary>
    public string AppName { get; set; } = "";

    /// <summary>The partner code the platform assigned (optional, sent when set).</summary>
    public string PartnerCode { get; set; } = "";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(AccessKey) && !string.IsNullOrWhiteSpace(SecretKey);
}
