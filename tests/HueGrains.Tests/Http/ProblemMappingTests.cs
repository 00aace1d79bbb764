using System.Text.Json;
using HueGrains.Api.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HueGrains.Tests.Http;

[Collection(ApiCollection.Name)]
public class ProblemMappingTests(ApiFixture api)
{
    private async Task<(int Status, string? RetryAfter, JsonElement Body)> Handle(Exception exception)
    {
        var context = new DefaultHttpContext { RequestServices = api.App.Services };
        context.Response.Body = new MemoryStream();
        var handler = ActivatorUtilities.CreateInstance<HueExceptionHandler>(api.App.Services);
        Assert.True(await handler.TryHandleAsync(context, exception, CancellationToken.None));
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, context.Response.Headers.RetryAfter.ToString(), JsonDocument.Parse(context.Response.Body).RootElement.Clone());
    }

    [Fact]
    public async Task A_full_journal_or_a_lost_silo_is_503_with_Retry_After_never_500()
    {
        var (status, retry, body) = await Handle(new HueUnavailableException("The reading journal is full; retry shortly.", 3));
        Assert.Equal((503, "3"), (status, retry));
        Assert.Equal(503, body.GetProperty("status").GetInt32());

        Assert.Equal(503, (await Handle(new SiloUnavailableException())).Status);
        Assert.Equal(503, (await Handle(new TimeoutException())).Status);
        Assert.Equal(503, (await Handle(new OrleansException("wrapped", new Npgsql.NpgsqlException("down")))).Status);
    }

    [Fact]
    public async Task Programming_errors_are_not_disguised()
    {
        var context = new DefaultHttpContext { RequestServices = api.App.Services };
        var handler = ActivatorUtilities.CreateInstance<HueExceptionHandler>(api.App.Services);
        Assert.False(await handler.TryHandleAsync(context, new InvalidOperationException("a bug"), CancellationToken.None));
    }
}
