using System.Net;
using System.Security.Cryptography;
using HueGrains.Api.Auth;
using HueGrains.Api.Limits;
using HueGrains.Api.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace HueGrains.Tests.Http;

/// <summary>A platform whose live feed allows 2 streams per client, 3 per node and a resume at most 3 events behind.</summary>
public sealed class LiveLimitsFixture : IAsyncLifetime
{
    public HueAuthOptions Auth { get; } = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };

    public WebApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await TestPlatform.StartAsync(new()
        {
            ["Hue:Auth:SigningKey"] = Auth.SigningKey,
            ["Hue:Live:MaxConnectionsPerClient"] = "2",
            ["Hue:Live:MaxConnectionsPerNode"] = "3",
            ["Hue:Live:MaxResumeEvents"] = "3",
            ["Hue:Live:RetryAfterSeconds"] = "7",
            ["Hue:Mqtt:Enabled"] = "false",
            ["Hue:Dashboard"] = "false",
        });
    }

    public HttpClient Client(string? role = null)
    {
        var client = App.GetTestClient();
        if (role is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", TokenIssuer.Issue(Auth, role));
        return client;
    }

    public int Open => App.Services.GetRequiredService<LiveGate>().Open;

    public Task DisposeAsync() => TestPlatform.StopAsync(App);
}

// In the API collection, not beside it: hosts in one process share meter names (see HardeningTests).
[Collection(ApiCollection.Name)]
public class LiveLimitsTests(LiveLimitsFixture platform) : IClassFixture<LiveLimitsFixture>
{
    private static async Task AssertRefusedAsync(HttpClient client, string because)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/live"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("7", response.Headers.RetryAfter?.ToString());
        Assert.Contains(because, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task AllClosedAsync() => await Eventually.Holds(() => Task.FromResult(platform.Open), n => n == 0);

    [Fact]
    public async Task A_client_gets_429_beyond_its_streams_and_the_node_beyond_its_own()
    {
        await AllClosedAsync();
        var anonymous = platform.Client();
        using (var a = await SseClient.ConnectAsync(anonymous, "/api/v1/live"))
        using (var b = await SseClient.ConnectAsync(anonymous, "/api/v1/live"))
        {
            await AssertRefusedAsync(anonymous, "This client");
            var citizen = platform.Client(Roles.Citizen); // a token's subject is a client of its own
            using var c = await SseClient.ConnectAsync(citizen, "/api/v1/live");
            await AssertRefusedAsync(platform.Client(Roles.Official), "This node"); // 3 open: the node is full
        }
        await AllClosedAsync(); // closing a stream frees its place
        using var again = await SseClient.ConnectAsync(anonymous, "/api/v1/live");
        Assert.Equal("snapshot", (await again.NextAsync()).Type);
    }

    [Fact]
    public async Task A_resume_further_behind_than_the_cap_gets_a_snapshot_not_the_backlog()
    {
        await AllClosedAsync();
        var anonymous = platform.Client();
        var operatorClient = platform.Client(Roles.Operator);
        List<SseEvent> seen;
        using (var live = await SseClient.ConnectAsync(anonymous, "/api/v1/live"))
        {
            seen = [await live.NextAsync()];
            // Each sensor provisioned changes its commune's and the city's indicators: two events or more.
            foreach (var commune in CityMap.Communes.Take(4).Select(c => c.Code))
            {
                var put = await operatorClient.PutJson($"/api/v1/sensors/t-{Guid.NewGuid():N}",
                    new { kind = "water-level", unit = "m", commune, latitude = 16.46, longitude = 107.57 });
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }
            while (seen.Count < 6) seen.Add(await live.NextAsync());
            try
            {
                while (true) seen.Add(await live.NextAsync(TimeSpan.FromSeconds(1))); // until the feed is quiet
            }
            catch (OperationCanceledException)
            {
            }
        }

        using (var far = await SseClient.ConnectAsync(anonymous, "/api/v1/live", seen[0].Id))
            Assert.Equal("snapshot", (await far.NextAsync()).Type); // 5 or more behind
        await AllClosedAsync();
        using var near = await SseClient.ConnectAsync(anonymous, "/api/v1/live", seen[^2].Id);
        Assert.NotEqual("snapshot", (await near.NextAsync()).Type); // 1 behind: the missed event itself
    }

    [Fact]
    public void The_gate_counts_per_client_and_per_node_and_forgets_clients_that_left()
    {
        var gate = new ConnectionGate(maxPerClient: 2, maxPerNode: 3);
        var a1 = gate.TryEnter("a", out _);
        var a2 = gate.TryEnter("a", out _);
        Assert.Null(gate.TryEnter("a", out var refusal));
        Assert.Equal(GateRefusal.Client, refusal);
        var b1 = gate.TryEnter("b", out _);
        Assert.Null(gate.TryEnter("c", out refusal));
        Assert.Equal(GateRefusal.Node, refusal);
        a1!.Dispose();
        a1.Dispose(); // twice counts once
        Assert.Equal(2, gate.Open);
        Assert.NotNull(gate.TryEnter("c", out refusal));
        Assert.Equal(GateRefusal.None, refusal);
        a2!.Dispose();
        b1!.Dispose();
        Assert.Equal(1, gate.Open);
    }
}
