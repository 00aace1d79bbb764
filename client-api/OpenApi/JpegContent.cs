using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HueGrains.Api.OpenApi;

/// <summary>A photo answer is JPEG bytes: the 200 response is <c>image/jpeg</c>, a binary string.</summary>
public static class JpegContent
{
    public const string MediaType = "image/jpeg";

    public static Task AsBinary(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
            response.Content = new Dictionary<string, OpenApiMediaType>
            {
                [MediaType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
            };
        return Task.CompletedTask;
    }
}
