using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace HueGrains.Api.OpenApi;

/// <summary>
/// Each operation's security from its endpoint's authorization metadata, never written by hand: a public endpoint takes
/// an optional bearer token (staff see exact figures, officials their commune's dossiers); an endpoint with a policy
/// takes the schemes that policy authenticates with (the default scheme: a bearer token, or a device key alone), and
/// answers 401 without valid credentials and 403 when they are not enough.
/// </summary>
public sealed class SecurityRequirements(IAuthorizationPolicyProvider policies) : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var document = context.Document;
        OpenApiSecurityRequirement Requirement(string scheme) => new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [new OpenApiSecurityRequirement(), Requirement(HueOpenApi.Bearer)];
            return;
        }
        var policy = await AuthorizationPolicy.CombineAsync(policies, metadata.OfType<IAuthorizeData>().ToList(), metadata.OfType<AuthorizationPolicy>().ToList())
            ?? throw new InvalidOperationException($"{context.Description.RelativePath} has neither a policy nor AllowAnonymous.");
        var schemes = policy.AuthenticationSchemes.Count == 0 ? [JwtBearerDefaults.AuthenticationScheme, Auth.DeviceKeyAuthentication.Scheme] : policy.AuthenticationSchemes;
        // The device-key scheme only authenticates a device; whether a device may call is the policy's to say.
        var deviceMayCall = schemes.Contains(Auth.DeviceKeyAuthentication.Scheme) && await AllowsDeviceAsync(context.ApplicationServices, policy);
        operation.Security = deviceMayCall ? [Requirement(HueOpenApi.Bearer), Requirement(HueOpenApi.DeviceKey)] : [Requirement(HueOpenApi.Bearer)];
        operation.Responses ??= [];
        operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No valid credentials: a missing, expired or refused token or device key." });
        operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The credentials do not allow this." });
    }

    private static async Task<bool> AllowsDeviceAsync(IServiceProvider services, AuthorizationPolicy policy)
    {
        var device = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(HueClaims.Role, Roles.Device), new Claim(HueClaims.DeviceKeyHash, "0"), new Claim(HueClaims.DeviceSensor, "0")],
            Auth.DeviceKeyAuthentication.Scheme, HueClaims.Subject, HueClaims.Role));
        return (await services.GetRequiredService<IAuthorizationService>().AuthorizeAsync(device, policy)).Succeeded;
    }
}
