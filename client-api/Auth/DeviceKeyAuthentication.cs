using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HueGrains.Api.Auth;

/// <summary>
/// Turns an <c>X-Device-Key</c> header into a device principal carrying the key's hash. Whether the key belongs to
/// the sensor named in the route is decided by that sensor's grain, which holds the stored hash.
/// </summary>
public sealed class DeviceKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public new const string Scheme = "DeviceKey";
    public const string Header = "X-Device-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values)) return Task.FromResult(AuthenticateResult.NoResult());
        var key = values.ToString().Trim();
        if (key.Length is < 16 or > 256) return Task.FromResult(AuthenticateResult.Fail("Malformed device key."));
        var identity = new ClaimsIdentity(
            [new Claim(HueClaims.Role, Roles.Device), new Claim(HueClaims.DeviceKeyHash, DeviceKeys.Hash(key))],
            Scheme, HueClaims.Subject, HueClaims.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme)));
    }
}
