namespace HueGrains.Api.Auth;

public static class HueClaims
{
    public const string Role = "role";
    public const string Subject = "sub";
    public const string Commune = "commune";
    public const string Citizen = "citizen";
    public const string DeviceKeyHash = "device_key_hash";

    /// <summary>The caller as the grains know it: a role and the commune or citizen it is bound to, no names.</summary>
    public static Actor ToActor(this ClaimsPrincipal user)
    {
        var role = Roles.All.FirstOrDefault(user.IsInRole) ?? "";
        return new Actor(role, user.FindFirstValue(Commune), user.FindFirstValue(Citizen), user.FindFirstValue(Subject));
    }
}
