using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HueGrains.Api.OpenApi;

/// <summary>CSV is text: where an endpoint takes or gives CSV beside JSON, the CSV body is a string, not the JSON's shape.</summary>
public static class CsvContent
{
    public const string MediaType = "text/csv";

    public static Task AsText(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var contents = (operation.Responses?.Values.Select(r => r.Content) ?? []).Append(operation.RequestBody?.Content);
        foreach (var content in contents)
            if (content?.TryGetValue(MediaType, out var csv) == true) csv.Schema = new OpenApiSchema { Type = JsonSchemaType.String };
        return Task.CompletedTask;
    }
}
