using System.Collections;
using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HueGrains.Api.OpenApi;

/// <summary>
/// For a handler that reads its JSON body itself (so an unknown field is a 400 naming it): the document describes the
/// body as the shape the handler accepts instead of "any JSON", as a named model for generated clients.
/// </summary>
public static class DocumentedBody
{
    public static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> As<T>() => async (operation, context, ct) =>
    {
        if (operation.RequestBody?.Content?.TryGetValue("application/json", out var json) != true) return;
        var document = context.Document!;
        var schema = await context.GetOrCreateSchemaAsync(typeof(T), cancellationToken: ct);
        // Object-valued properties refer to their types' own schemas (which answers use too), so clients get one model each.
        foreach (var property in typeof(T).GetProperties())
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type))
                schema.Properties![JsonNamingPolicy.CamelCase.ConvertName(property.Name)] = new OpenApiSchemaReference(type.Name, document);
        }
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[typeof(T).Name] = schema;
        json!.Schema = new OpenApiSchemaReference(typeof(T).Name, document);
    };
}
