using HueGrains.Api.Auth;
using HueGrains.Api.Open311;

namespace HueGrains.Silo;

/// <summary>
/// Checks the secret settings before anything starts, so that a misconfigured deployment stops at once with a message
/// naming the setting, instead of running with a weak secret or failing at its first request:
/// <list type="bullet">
/// <item>with <c>ConnectionStrings__Hue</c> (durable mode, possibly many silos and front ends) <c>Hue__Auth__SigningKey</c>
/// is required: the generated development key file is per machine, so each process would sign with its own key;</item>
/// <item>no secret holds a placeholder such as <c>CHANGE-ME</c> (deploy/k8s/secret.example.yaml shows the Secret's shape
/// with such values);</item>
/// <item>a configured signing key is base64 of at least 32 bytes.</item>
/// </list>
/// </summary>
public static class SecretSettings
{
    /// <summary>Placeholders of example files, found case-insensitively anywhere in a secret's value.</summary>
    private static readonly string[] Placeholders = ["CHANGE-ME", "CHANGE_ME", "CHANGEME"];

    private static readonly string ConnectionString = $"ConnectionStrings:{HueHost.ConnectionStringName}";
    private static readonly string SigningKey = $"{HueAuthOptions.Section}:{nameof(HueAuthOptions.SigningKey)}";
    private static readonly string[] NationalSyncKeys =
        [$"{NationalSyncOptions.Section}:{nameof(NationalSyncOptions.AccessKey)}", $"{NationalSyncOptions.Section}:{nameof(NationalSyncOptions.SecretKey)}"];

    /// <summary>Secret settings that are lists (one value per index).</summary>
    private static readonly string[] SecretLists =
        [$"{HueAuthOptions.Section}:{nameof(HueAuthOptions.PreviousSigningKeys)}", $"{Open311Options.Section}:{nameof(Open311Options.ApiKeys)}"];

    public static bool IsPlaceholder(string value) => Placeholders.Any(p => value.Contains(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>Every secret setting that has a value, named as its environment variable (<c>Hue__Auth__SigningKey</c>).</summary>
    public static IEnumerable<(string Name, string Value)> Secrets(IConfiguration configuration)
    {
        foreach (var key in (string[])[ConnectionString, SigningKey, .. NationalSyncKeys])
        {
            if (configuration[key] is { } value) yield return (EnvironmentName(key), value);
        }
        foreach (var list in SecretLists)
        {
            foreach (var item in configuration.GetSection(list).GetChildren())
            {
                if (item.Value is { } value) yield return (EnvironmentName(item.Path), value);
            }
        }
    }

    /// <summary>What is wrong with the secret settings; empty when the platform may start.</summary>
    /// <param name="signingKeyRequired">False for commands that neither sign nor check tokens (<c>migrate</c>).</param>
    public static IReadOnlyList<string> Problems(IConfiguration configuration, bool signingKeyRequired = true)
    {
        var placeholders = Secrets(configuration).Where(s => IsPlaceholder(s.Value)).Select(s => s.Name).ToList();
        var problems = placeholders.Select(name => $"{name} holds a placeholder value (such as CHANGE-ME), not a secret: set the real value.").ToList();
        if (!signingKeyRequired) return problems;

        var auth = configuration.GetSection(HueAuthOptions.Section).Get<HueAuthOptions>() ?? new HueAuthOptions();
        var durable = !string.IsNullOrWhiteSpace(configuration.GetConnectionString(HueHost.ConnectionStringName));
        if (string.IsNullOrWhiteSpace(auth.SigningKey))
        {
            if (durable)
            {
                problems.Add($"{EnvironmentName(ConnectionString)} is set (durable mode) but {EnvironmentName(SigningKey)} is not. "
                    + "Every silo and API front end must sign and check tokens with the same key: set it to the base64 of at least "
                    + "32 random bytes (head -c 32 /dev/urandom | base64), in the environment or as a file in HUE_SECRETS_DIR. "
                    + "The generated development key file is used only without a database.");
            }
        }
        else if (!placeholders.Any(name => name.StartsWith(EnvironmentName(HueAuthOptions.Section), StringComparison.Ordinal)))
        {
            try
            {
                _ = SigningKeys.Accepted(auth);
            }
            catch (InvalidOperationException ex)
            {
                problems.Add($"{ex.Message} Set the base64 of at least 32 random bytes (head -c 32 /dev/urandom | base64).");
            }
        }
        return problems;
    }

    /// <summary>Throws <see cref="UnsafeSettingsException"/> listing every problem, if there is any.</summary>
    public static void EnsureSafe(IConfiguration configuration, bool signingKeyRequired = true)
    {
        var problems = Problems(configuration, signingKeyRequired);
        if (problems.Count > 0)
            throw new UnsafeSettingsException("HueGrains will not start with these settings:" + string.Concat(problems.Select(p => $"{Environment.NewLine}  - {p}")));
    }

    private static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}

/// <summary>The settings are unsafe to start with; the message names each setting and what to do.</summary>
public sealed class UnsafeSettingsException : Exception
{
    public UnsafeSettingsException() { }
    public UnsafeSettingsException(string message) : base(message) { }
    public UnsafeSettingsException(string message, Exception inner) : base(message, inner) { }
}
