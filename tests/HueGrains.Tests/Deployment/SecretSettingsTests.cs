using System.Diagnostics;
using System.Security.Cryptography;
using HueGrains.Silo;
using HueGrains.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace HueGrains.Tests.Deployment;

/// <summary>
/// The platform refuses to start on unsafe secrets, with a message naming the setting: durable mode without a signing
/// key (it would fall back to a per-machine development key file), or any secret holding a placeholder.
/// </summary>
public class SecretSettingsTests
{
    /// <summary>A database nobody listens on: nothing here may get as far as connecting.</summary>
    private static readonly string Nowhere = $"Host=127.0.0.1;Port={LoopbackPorts.Free()};Database=hue;Username=hue;Timeout=2";

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static WebApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    [Fact]
    public void Durable_mode_without_a_signing_key_refuses_to_start_naming_the_setting()
    {
        var error = Assert.Throws<UnsafeSettingsException>(() => Builder(new() { ["ConnectionStrings:Hue"] = Nowhere }).AddHuePlatform());
        Assert.Contains("Hue__Auth__SigningKey is not", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__Hue", error.Message, StringComparison.Ordinal);
        Assert.Contains("development key file", error.Message, StringComparison.Ordinal);

        Assert.Throws<UnsafeSettingsException>(() => Builder(new() { ["ConnectionStrings:Hue"] = Nowhere, ["Hue:Auth:SigningKey"] = " " }).AddHuePlatform());
        Assert.Empty(SecretSettings.Problems(Configuration(new() { ["ConnectionStrings:Hue"] = Nowhere, ["Hue:Auth:SigningKey"] = NewKey() })));
        Assert.Empty(SecretSettings.Problems(Configuration([]))); // embedded: the development key file is fine
        Assert.Empty(SecretSettings.Problems(Configuration(new() { ["ConnectionStrings:Hue"] = Nowhere }), signingKeyRequired: false)); // migrate
    }

    [Theory]
    [InlineData("ConnectionStrings:Hue", "Host=postgres;Port=5432;Database=hue;Username=hue;Password=CHANGE-ME")]
    [InlineData("Hue:Auth:SigningKey", "CHANGE-ME-base64-of-32-random-bytes")]
    [InlineData("Hue:Auth:SigningKey", "changeme")]
    [InlineData("Hue:Auth:PreviousSigningKeys:0", "CHANGE-ME")]
    [InlineData("Hue:Open311:ApiKeys:0", "CHANGE-ME")]
    [InlineData("Hue:Open311:ApiKeys:1", "change_me")]
    [InlineData("Hue:NationalSync:SecretKey", "CHANGE-ME")]
    public void A_placeholder_secret_refuses_to_start_naming_the_setting(string key, string placeholder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Hue:Auth:SigningKey"] = NewKey(),
            ["Hue:Open311:ApiKeys:0"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            [key] = placeholder,
        };
        var error = Assert.Throws<UnsafeSettingsException>(() => Builder(settings).AddHuePlatform());
        Assert.Contains($"{key.Replace(":", "__", StringComparison.Ordinal)} holds a placeholder", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Host=postgres", error.Message, StringComparison.Ordinal); // a secret's value is never printed
    }

    [Theory]
    [InlineData("not base64!", "not base64")]
    [InlineData("c2hvcnQ=", "shorter than 32 bytes")]
    public void A_malformed_signing_key_refuses_to_start_instead_of_failing_at_the_first_request(string value, string reason)
    {
        var error = Assert.Throws<UnsafeSettingsException>(() => Builder(new() { ["Hue:Auth:SigningKey"] = value }).AddHuePlatform());
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    /// <summary>The real executable, with only the given settings (no inherited Hue__* variables, an empty secrets directory).</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunSiloAsync(Dictionary<string, string> environment, params string[] args)
    {
        var secrets = Directory.CreateTempSubdirectory("hue-secrets-");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HueGrains.Silo.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Hue__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment["HUE_SECRETS_DIR"] = secrets.FullName;
        start.Environment["Hue__Http__Port"] = LoopbackPorts.FreeSetting();
        start.Environment["Hue__Mqtt__Port"] = LoopbackPorts.FreeSetting();
        start.Environment["Hue__Orleans__SiloPort"] = LoopbackPorts.FreeSetting();
        start.Environment["Hue__Orleans__GatewayPort"] = LoopbackPorts.FreeSetting();
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (int.MinValue, await stdout, "still running after 60 s: " + await stderr);
        }
        finally
        {
            secrets.Delete(recursive: true);
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task The_executable_in_durable_mode_without_a_signing_key_exits_with_a_clear_message()
    {
        var (code, _, stderr) = await RunSiloAsync(new() { ["ConnectionStrings__Hue"] = Nowhere });
        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Contains("Hue__Auth__SigningKey is not", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);

        var token = await RunSiloAsync(new() { ["ConnectionStrings__Hue"] = Nowhere }, "token", "--role", "operator");
        Assert.True(token.ExitCode == 2, $"exit {token.ExitCode}: {token.Stderr}");
        Assert.Empty(token.Stdout);
        Assert.Contains("Hue__Auth__SigningKey is not", token.Stderr, StringComparison.Ordinal);

        var migrate = await RunSiloAsync(new() { ["ConnectionStrings__Hue"] = Nowhere.Replace("Username=hue", "Username=hue;Password=CHANGE-ME", StringComparison.Ordinal) }, "migrate");
        Assert.True(migrate.ExitCode == 2, $"exit {migrate.ExitCode}: {migrate.Stderr}");
        Assert.Contains("ConnectionStrings__Hue holds a placeholder", migrate.Stderr, StringComparison.Ordinal);
    }
}
