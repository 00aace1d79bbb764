using System.Net.Http.Headers;
using HueGrains.Api.Auth;
using HueGrains.Testing;

namespace HueGrains.IntegrationTests;

/// <summary>Platform processes on the shared throwaway PostgreSQL, and clients of their HTTP API.</summary>
public static class Processes
{
    /// <summary>
    /// Starts a process and waits until it is ready. Free ports are picked before the process binds them, so another
    /// process of the parallel test run may take one first: then it starts again on new ports.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(string role, string db, string cluster, IReadOnlyDictionary<string, string>? environment = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var process = SiloProcess.Start(role, db, cluster, DurablePlatform.SigningKey, environment);
            try
            {
                await process.WaitReadyAsync();
                return process;
            }
            catch (InvalidOperationException) when (attempt < 3 && process.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await process.DisposeAsync();
            }
        }
    }

    public static HttpClient Client(SiloProcess process, string? role = null)
    {
        var client = new HttpClient { BaseAddress = process.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (role is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                TokenIssuer.Issue(new HueAuthOptions { SigningKey = DurablePlatform.SigningKey }, role));
        return client;
    }
}
