using System.Net.Http.Headers;
using HueGrains.Api.Auth;
using HueGrains.Testing;

namespace HueGrains.IntegrationTests;

/// <summary>Platform processes on the shared throwaway PostgreSQL, and clients of their HTTP API.</summary>
public static class Processes
{
    public static async Task<SiloProcess> StartAsync(string role, string db, string cluster)
    {
        var process = SiloProcess.Start(role, db, cluster, DurablePlatform.SigningKey);
        await process.WaitReadyAsync();
        return process;
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
