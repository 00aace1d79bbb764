using HueGrains.Api.Photos;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HueGrains.Api.OpenApi;

/// <summary>
/// A body that is JSON, or the same JSON beside photos as multipart/form-data: <c>Accepts</c> gives both media types
/// the JSON's schema; the form gets its own, the JSON in one part (encoded as application/json) and the images in
/// parts named <c>photo</c>. Generated clients keep the JSON form (they prefer JSON where both are offered).
/// </summary>
public static class PhotoFormContent
{
    public static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> ReportWithPhotos(string jsonPart) => (operation, context, ct) =>
    {
        var content = operation.RequestBody?.Content;
        if (content is null || !content.TryGetValue("application/json", out var json) || !content.TryGetValue(PhotoUploads.MediaType, out var form))
            return Task.CompletedTask;
        form.Schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { jsonPart },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                [jsonPart] = json.Schema!,
                [PhotoUploads.Field] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    MaxItems = PhotoLimits.MaxPerReport,
                    Description = $"JPEG, PNG or WebP images of at most {PhotoLimits.MaxBytes / (1024 * 1024)} MB, one per part, all named {PhotoUploads.Field}.",
                    Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                },
            },
        };
        form.Encoding = new Dictionary<string, OpenApiEncoding>
        {
            [jsonPart] = new() { ContentType = "application/json" },
            [PhotoUploads.Field] = new() { ContentType = "image/jpeg, image/png, image/webp" },
        };
        return Task.CompletedTask;
    };
}
