using System.ComponentModel.DataAnnotations;

namespace HueGrains.Api.Auth;

/// <summary>Bound from <c>Hue:Auth</c>. Without a configured key a development key is generated into a local file.</summary>
public sealed class HueAuthOptions
{
    public const string Section = "Hue:Auth";

    [Required] public string Issuer { get; set; } = "hue-grains";
    [Required] public string Audience { get; set; } = "hue-grains-api";

    /// <summary>HMAC-SHA256 signing key, base64 (at least 32 bytes). From the environment or a secret file, never committed.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Where the development key is kept when <see cref="SigningKey"/> is not set.</summary>
    public string SigningKeyFile { get; set; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
        "HueGrains", "dev-signing-key");

    /// <summary>
    /// Keys retired by a rotation, still accepted for tokens issued before it (base64). Rotate by moving the current key
    /// here and setting a new <see cref="SigningKey"/>; drop it once its tokens have expired.
    /// </summary>
    public List<string> PreviousSigningKeys { get; set; } = [];

    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Tokens that claim to live longer than this (from nbf or iat to exp) are refused, whoever signed them.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromDays(1);
}
