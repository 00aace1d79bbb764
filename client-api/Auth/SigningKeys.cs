using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace HueGrains.Api.Auth;

public static class SigningKeys
{
    /// <summary>The configured key, or the development key file (created with a fresh random key on first use).</summary>
    public static SymmetricSecurityKey Resolve(HueAuthOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.SigningKey)) return FromBase64(options.SigningKey, "Hue:Auth:SigningKey");
        var file = options.SigningKeyFile;
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            try
            {
                using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write);
                using var writer = new StreamWriter(stream);
                writer.Write(fresh);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            catch (IOException) when (File.Exists(file))
            {
                // another process created it first; use theirs
            }
        }
        return FromBase64(File.ReadAllText(file).Trim(), file);
    }

    /// <summary>Every key a token may be signed with: the current one first, then those retired by rotation.</summary>
    public static IEnumerable<SecurityKey> Accepted(HueAuthOptions options) =>
        [Resolve(options), .. options.PreviousSigningKeys.Select((k, i) => FromBase64(k, $"Hue:Auth:PreviousSigningKeys:{i}"))];

    private static SymmetricSecurityKey FromBase64(string value, string source)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(value);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"The signing key in {source} is not base64.", ex);
        }
        if (bytes.Length < 32) throw new InvalidOperationException($"The signing key in {source} is shorter than 32 bytes.");
        return new SymmetricSecurityKey(bytes) { KeyId = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] };
    }
}
