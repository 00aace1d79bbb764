using System.Text.RegularExpressions;

namespace HueGrains;

/// <summary>
/// The one place that turns outside identifiers into grain keys. Every key is validated here so that
/// keys that Orleans would treat specially (leading zeros, '+', hex-looking strings) never reach a grain.
/// </summary>
public static partial class Keys
{
    public const string City = "hue";

    /// <summary>Commune keys are the 5-digit national unit codes of the seeded map; nothing else is accepted.</summary>
    public static bool IsCommune(string? code) => code is not null && CityMap.Find(code) is not null;

    public static bool IsSensorId(string? id) => id is not null && SensorIdPattern().IsMatch(id);

    /// <summary>
    /// A device id such as "a1b2c3" or "0a1b2c3" would be read by Orleans as a hexadecimal integer key, and the two
    /// would share a storage row. Sensor grain keys therefore carry a prefix that is never hexadecimal.
    /// </summary>
    public static string SensorKey(string sensorId) =>
        IsSensorId(sensorId) ? SensorKeyPrefix + sensorId : throw new ArgumentException($"Invalid sensor id '{sensorId}'.", nameof(sensorId));

    public static string SensorIdOf(string sensorKey) => sensorKey[SensorKeyPrefix.Length..];

    private const string SensorKeyPrefix = "sensor/";

    /// <summary>Opaque entity ids (citizen, case, feedback) are generated here: a prefix and 32 hex digits.</summary>
    public static bool IsEntityId(string? id, string prefix) =>
        id is not null && id.StartsWith(prefix, StringComparison.Ordinal) && EntityIdPattern().IsMatch(id[prefix.Length..]);

    public static string NewCitizenId() => CitizenPrefix + Guid.NewGuid().ToString("N");
    public static string NewCaseId() => CasePrefix + Guid.NewGuid().ToString("N");
    public static string NewFeedbackId() => FeedbackPrefix + Guid.NewGuid().ToString("N");

    /// <summary>
    /// The id a creating request gets when its client sends an <c>Idempotency-Key</c>: derived from the caller and the
    /// key, so a retry reaches the same entity instead of creating a second one.
    /// </summary>
    /// <summary>
    /// The id a caller's idempotency key always gives: an HMAC under a server-side secret, so nobody who knows a caller
    /// and guesses a key can tell whether a public entity is theirs.
    /// </summary>
    public static string IdempotentId(string prefix, byte[] secret, string caller, string idempotencyKey) =>
        prefix + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(secret,
            System.Text.Encoding.UTF8.GetBytes($"{prefix}|{caller}|{idempotencyKey}")))[..32];

    public const string CitizenPrefix = "c-";
    public const string CasePrefix = "hs-";
    public const string FeedbackPrefix = "pa-";

    // Every identifier pattern is anchored with \A and \z, never ^ and $: '$' also matches before a final "\n", so
    // "probe-a\n" would pass as a second id beside "probe-a". Classes are ASCII ([0-9], not \d, which takes any
    // Unicode digit such as '０' or '٠').

    // Device ids: lower-case letters, digits, '.', '_', '-' and ':' (SenML names such as urn:dev:mac:…), at most 128.
    [GeneratedRegex(@"\A[a-z0-9][a-z0-9._:-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SensorIdPattern();

    [GeneratedRegex(@"\A[0-9a-f]{32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex EntityIdPattern();
}
