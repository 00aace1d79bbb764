using System.Text.Encodings.Web;
using HueGrains.Api.Ingest;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HueGrains.Api.Auth;

/// <summary>
/// Turns an <c>X-Device-Key</c> header into a device principal carrying the key's hash and its sensor, found in the
/// sensors' projection (<see cref="IDeviceKeyIndex"/>): a key that belongs to no sensor fails here, before any sensor
/// grain is called. The sensor grain still compares the hash with its stored one on every ingest.
/// </summary>
public sealed class DeviceKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IDeviceKeyIndex keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public new const string Scheme = "DeviceKey";
    public const string Header = "X-Device-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values)) return AuthenticateResult.NoResult();
        var key = values.ToString().Trim();
        if (key.Length is < 16 or > 256) return AuthenticateResult.Fail("Malformed device key.");
        var hash = DeviceKeys.Hash(key);
        if (await keys.SensorOfAsync(hash, Context.RequestAborted) is not { } sensor) return AuthenticateResult.Fail("Unknown device key.");
        var identity = new ClaimsIdentity(
            [new Claim(HueClaims.Role, Roles.Device), new Claim(HueClaims.DeviceKeyHash, hash), new Claim(HueClaims.DeviceSensor, sensor)],
            Scheme, HueClaims.Subject, HueClaims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme));
    }
}
