using HueGrains.Api.Auth;

namespace HueGrains.Silo;

/// <summary>
/// <c>token --role operator</c> | <c>--role official --commune 19753</c> | <c>--role citizen [--citizen c-…]</c>:
/// prints only a token signed with the key the server uses, for development and tests.
/// </summary>
public static class TokenCommand
{
    public static int Run(string[] args, IConfiguration configuration)
    {
        var role = Option(args, "--role");
        var commune = Option(args, "--commune");
        var citizen = Option(args, "--citizen");
        string? error = role switch
        {
            null => "--role is required: citizen, official, leader or operator.",
            Roles.Official when !Keys.IsCommune(commune) => "--commune must be the code of one of Huế's 40 communes (e.g. 19753).",
            Roles.Citizen when citizen is not null && !Keys.IsEntityId(citizen, Keys.CitizenPrefix) => "--citizen must be a citizen id (c- and 32 hex digits).",
            Roles.Citizen or Roles.Official or Roles.Leader or Roles.Operator => null,
            _ => $"Unknown role '{role}'.",
        };
        if (error is not null)
        {
            Console.Error.WriteLine(error);
            return 2;
        }
        // The same checks as the server's: no token from a placeholder, or from the development key in durable mode.
        if (SecretSettings.Problems(configuration) is { Count: > 0 } problems)
        {
            foreach (var problem in problems) Console.Error.WriteLine(problem);
            return 2;
        }
        var options = configuration.GetSection(HueAuthOptions.Section).Get<HueAuthOptions>() ?? new HueAuthOptions();
        if (role == Roles.Citizen) citizen ??= Keys.NewCitizenId();
        Console.WriteLine(TokenIssuer.Issue(options, role!, role == Roles.Official ? commune : null, citizen));
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
