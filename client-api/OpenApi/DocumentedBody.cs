using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HueGrains.Api.OpenApi;

/// <summary>
/// For a handler that reads its JSON body itself (so an unknown field is a 400 naming it): the document describes the
/// body as the shape the handler accepts instead of "any JSON".
/// </summary>
public static class DocumentedBody
{
    public static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> As<T>() => async (operation, context, ct) =>
    {
        if (operation.RequestBody?.Content?.TryGetValue("application/json", out var json) != true) return;
        json!.Schema = await context.GetOrCreateSchemaAsync(typeof(T), cancellationToken: ct);
    };
}
