namespace HueGrains.Api.Auth;

public static class HueClaims
{
    public const string Role = "role";
    public const string Subject = "sub";
    public const string Commune = "commune";
    public const string Citizen = "citizen";
    public const string DeviceKeyHash = "device_key_hash";

    /// <summary>The sensor a presented device key belongs to (set by the device-key scheme from the projection).</summary>
    public const string DeviceSensor = "device_sensor";

    /// <summary>
    /// The device-key hash a device path hands to the sensor grain, which compares it with the sensor's stored hash:
    /// null for an operator (who may write any sensor's readings), else the hash of the <c>X-Device-Key</c> the request
    /// presented. A device is only ever authenticated by its key: a bearer token claiming the device role (with or
    /// without a key-hash claim) is refused, so no device path skips the key check.
    /// </summary>
    public static string? DeviceKeyHashOf(this ClaimsPrincipal user) =>
        user.IsInRole(Roles.Operator) ? null
        : PresentedDeviceKeyHash(user) ?? throw new HueForbiddenException("A device authenticates with its own key (X-Device-Key).");

    /// <summary>The key hash of the identity the device-key scheme authenticated, if the request presented a key.</summary>
    public static string? PresentedDeviceKeyHash(ClaimsPrincipal user) =>
        user.Identities.FirstOrDefault(i => i.IsAuthenticated && i.AuthenticationType == DeviceKeyAuthentication.Scheme)
            ?.FindFirst(DeviceKeyHash)?.Value is { Length: > 0 } hash ? hash : null;

    /// <summary>The sensor of the device key the request presented, or null (no key, or an operator).</summary>
    public static string? PresentedDeviceSensor(ClaimsPrincipal user) =>
        user.Identities.FirstOrDefault(i => i.IsAuthenticated && i.AuthenticationType == DeviceKeyAuthentication.Scheme)
            ?.FindFirst(DeviceSensor)?.Value;

    /// <summary>The caller as the grains know it: a role and the commune or citizen it is bound to, no names.</summary>
    public static Actor ToActor(this ClaimsPrincipal user)
    {
        var role = Roles.All.FirstOrDefault(user.IsInRole) ?? "";
        return new Actor(role, user.FindFirstValue(Commune), user.FindFirstValue(Citizen), user.FindFirstValue(Subject));
    }
}
