using System.Diagnostics;
using System.Net;

namespace HueGrains.Tests.Http;

[Collection(ApiCollection.Name)]
public class TokenCommandTests(ApiFixture api)
{
    private async Task<(int ExitCode, string Stdout)> RunSilo(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HueGrains.Silo.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["Hue__Auth__SigningKey"] = api.Auth.SigningKey;
        using var process = Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, stdout);
    }

    [Fact]
    public async Task The_token_command_prints_only_a_token_the_server_accepts()
    {
        var (code, stdout) = await RunSilo("token", "--role", "official", "--commune", "19753");
        Assert.Equal(0, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var token = Assert.Single(lines).Trim();
        Assert.Equal(3, token.Split('.').Length);

        var id = Keys.NewCitizenId();
        var client = api.WithToken(token);
        var registered = await client.PostJson("/api/v1/citizens",
            new { fullName = "Phan Thị Dung", dateOfBirth = "1999-09-09", nationalId = "046199000111", phone = "0935000111", homeCommune = "19753" });
        Assert.True(registered.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, registered.StatusCode.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PutJson($"/api/v1/sensors/t-{id}", new { })).StatusCode);

        var (badCode, badOut) = await RunSilo("token", "--role", "official", "--commune", "00000");
        Assert.NotEqual(0, badCode);
        Assert.Empty(badOut);
    }
}
