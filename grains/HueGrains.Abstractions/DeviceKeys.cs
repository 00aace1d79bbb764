using System.Security.Cryptography;

namespace HueGrains;

/// <summary>
/// Device keys are 256 random bits, shown once. Only their SHA-256 is stored: for random keys a plain hash is as good
/// as a slow password hash and cheap enough to check on every request.
/// </summary>
public static class DeviceKeys
{
    public static string New() => Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key's SHA-256 as lowercase hex (see <see cref="KeyDigest"/> for the form that is kept).</summary>
    public static string Hash(string key) => KeyDigest.Of(key).ToString();

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
