namespace HueGrains.Api.Endpoints;

/// <summary>
/// <c>Idempotency-Key</c> on creating requests (dossiers, reports, Open311 requests): a client that retries after a lost
/// answer gets the entity its first attempt created, not a second one. The key picks the entity id (per caller), and
/// creating an entity that already exists answers with that entity.
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";

    /// <summary>A new id, or the one this caller's key always gives; a malformed key is a 400.</summary>
    /// <param name="caller">Who the key belongs to; by default the token's subject.</param>
    public static string NewId(HttpContext http, string prefix, Func<string> fresh, string? caller = null)
    {
        if (http.Request.Headers[Header].FirstOrDefault() is not { } key) return fresh();
        if (key.Length is 0 or > 200 || key.Any(char.IsControl))
            throw new HueValidationException(Header, "An idempotency key is 1–200 printable characters.");
        return Keys.IdempotentId(prefix, caller ?? http.User.FindFirstValue(HueClaims.Subject) ?? "anonymous", key);
    }

    /// <summary>Creates, or when a retry finds the entity already created, reads it back instead.</summary>
    public static async Task<T> CreateOnceAsync<T>(Func<Task<T>> create, Func<Task<T?>> existing) where T : class
    {
        try
        {
            return await create();
        }
        catch (HueConflictException)
        {
            return await existing() ?? throw new HueConflictException("This idempotency key was used for another request.");
        }
    }
}
