using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HueGrains.Api.Endpoints;

/// <summary>
/// <c>Idempotency-Key</c> on creating requests (dossiers, reports, Open311 requests): a client that retries after a lost
/// answer gets the entity its first attempt created, not a second one. The key picks the entity id (per caller, through
/// an HMAC under a server-side secret); the entity keeps a fingerprint of the request that created it, so the same key
/// with another request is refused (422) rather than answered with the first entity.
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";

    /// <summary>A new id, or the one this caller's key always gives; a malformed key is a 400.</summary>
    /// <param name="caller">Who the key belongs to; by default the token's subject.</param>
    public static string NewId(HttpContext http, string prefix, Func<string> fresh, string? caller = null)
    {
        if (Key(http) is not { } key) return fresh();
        var secret = http.RequestServices.GetRequiredService<IdempotencySecret>().Value;
        return Keys.IdempotentId(prefix, secret, caller ?? http.User.FindFirstValue(HueClaims.Subject) ?? "anonymous", key);
    }

    /// <summary>The request's fingerprint when it carries a key (null otherwise): what a retry must repeat exactly.</summary>
    public static string? Fingerprint<T>(HttpContext http, T request) =>
        Key(http) is null ? null : Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, HueJson.Options)));

    private static string? Key(HttpContext http)
    {
        if (http.Request.Headers[Header].FirstOrDefault() is not { } key) return null;
        if (key.Length is 0 or > 200 || key.Any(char.IsControl))
            throw new HueValidationException(Header, "An idempotency key is 1–200 printable characters.");
        return key;
    }
}

/// <summary>The secret under which idempotency keys become ids: derived from the signing key, so every API node agrees.</summary>
public sealed class IdempotencySecret(IOptions<HueAuthOptions> options)
{
    public byte[] Value { get; } = HMACSHA256.HashData(SigningKeys.Resolve(options.Value).Key, "hue-idempotency-ids"u8);
}
