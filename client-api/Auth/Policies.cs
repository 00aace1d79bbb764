using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;

namespace HueGrains.Api.Auth;

/// <summary>Every endpoint names one of these, or is explicitly public (<c>AllowAnonymous</c>).</summary>
public static class Policies
{
    public const string Operator = "operator";
    public const string DeviceOrOperator = "device-or-operator";
    public const string Citizen = "citizen";
    public const string Official = "official";
    public const string CitizenOrOfficial = "citizen-or-official";
    public const string OfficialOrOperator = "official-or-operator";
    public const string Staff = "staff";
    public const string Subscriber = "subscriber";

    public static void Configure(AuthorizationOptions options)
    {
        options.AddPolicy(Operator, p => p.RequireRole(Roles.Operator));
        options.AddPolicy(Citizen, p => p.RequireRole(Roles.Citizen).RequireClaim(HueClaims.Citizen));
        options.AddPolicy(Official, p => p.RequireRole(Roles.Official).RequireClaim(HueClaims.Commune));
        options.AddPolicy(CitizenOrOfficial, p => p.RequireAssertion(c =>
            c.User.IsInRole(Roles.Citizen) && c.User.HasClaim(x => x.Type == HueClaims.Citizen)
            || c.User.IsInRole(Roles.Official) && c.User.HasClaim(x => x.Type == HueClaims.Commune)));
        options.AddPolicy(OfficialOrOperator, p => p.RequireAssertion(c =>
            c.User.IsInRole(Roles.Operator) || c.User.IsInRole(Roles.Official) && c.User.HasClaim(x => x.Type == HueClaims.Commune)));
        options.AddPolicy(Staff, p => p.RequireAssertion(c =>
            c.User.IsInRole(Roles.Operator) || c.User.IsInRole(Roles.Leader)
            || c.User.IsInRole(Roles.Official) && c.User.HasClaim(x => x.Type == HueClaims.Commune)));
        // Any person or system holding a platform token (not a device key): what they may receive is what they may read.
        options.AddPolicy(Subscriber, p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
            .RequireRole(Roles.Citizen, Roles.Official, Roles.Leader, Roles.Operator).RequireClaim(HueClaims.Subject));
        // A device is whoever presents its key (X-Device-Key); a bearer token claiming the device role is not one.
        options.AddPolicy(DeviceOrOperator, p => p
            .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme, DeviceKeyAuthentication.Scheme)
            .RequireAssertion(c => c.User.IsInRole(Roles.Operator) || HueClaims.PresentedDeviceKeyHash(c.User) is not null));
    }
}
