using System.Security.Cryptography;
using System.Text;

namespace HueGrains;

/// <summary>
/// Device keys are 256 random bits, shown once. Only their SHA-256 is stored: for random keys a plain hash is as good
/// as a slow password hash and cheap enough to check on every request.
/// </summary>
public static class DeviceKeys
{
    public static string New() => Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool Matches(string presentedHash, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presentedHash), Encoding.ASCII.GetBytes(storedHash));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
