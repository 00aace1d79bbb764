using System.Text.Json;
using System.Text.RegularExpressions;

namespace HueGrains.Api.Problems;

/// <summary>
/// What a problem may tell a client: the field and what is wrong with it, never the platform's .NET types (they say
/// which framework and which of our classes parse the request, which helps an attacker and no caller).
/// </summary>
public static partial class ClientText
{
    /// <summary>Every problem written (<c>ProblemDetailsOptions.CustomizeProblemDetails</c>): the trace id in, type names and exception details out.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Extensions.Remove("exception"); // the developer exception page's stack trace, in Development
        problem.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
        problem.Title = Scrub(problem.Title);
        problem.Detail = Scrub(problem.Detail);
        if (problem is HttpValidationProblemDetails validation)
        {
            foreach (var (field, messages) in validation.Errors.ToList()) validation.Errors[field] = [.. messages.Select(m => Scrub(m)!)];
        }
    }

    /// <summary>A malformed body: what is wrong, without "could not be converted to System.Int32" and without the parser's positions.</summary>
    public static string Describe(JsonException exception)
    {
        var message = exception.Message.Split('\n')[0].Trim();
        if (message.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal)) return "The value has the wrong type or format.";
        var path = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return Scrub(path > 0 ? message[..path] : message)!;
    }

    /// <summary>The framework's binding messages quote a parameter as "Type name": keep the name.</summary>
    public static string Describe(BadHttpRequestException exception) =>
        Scrub(QuotedParameter().Replace(exception.Message.Split('\n')[0].Trim(), "parameter \"${name}\""))!;

    /// <summary>Any remaining namespace-qualified type name becomes "a value".</summary>
    public static string? Scrub(string? text) => text is null ? null : TypeName().Replace(text, "a value");

    [GeneratedRegex("parameter \"(?:[^\"]*\\s)?(?<name>[^\"\\s]+)\"")]
    private static partial Regex QuotedParameter();

    [GeneratedRegex(@"\b(?:System|Microsoft|HueGrains|Orleans|Npgsql|MQTTnet)(?:\.[A-Za-z_][\w`]*)+(?:\[[^\]]*\])?(?:\+\w+)*")]
    private static partial Regex TypeName();
}
