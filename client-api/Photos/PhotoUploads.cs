using Microsoft.AspNetCore.Http.Features;

namespace HueGrains.Api.Photos;

/// <summary>
/// Photos out of a multipart body, for the photo endpoint (one photo) and a report submitted with its photos (up to
/// <see cref="PhotoLimits.MaxPerReport"/>): the body limit raised for this request only and refused from the declared
/// length before anything is read, a torn or over-long body refused, each file re-encoded by <see cref="PhotoEncoder"/>.
/// Every refusal is a <see cref="PhotoRejectedException"/>, which the problem mapper answers naming field <c>photo</c>.
/// </summary>
public static class PhotoUploads
{
    public const string Field = "photo";
    public const string MediaType = "multipart/form-data";

    /// <summary>Room for the multipart boundaries and part headers around the photos, and for a report's JSON beside them.</summary>
    private const long Room = 64 * 1024;

    /// <summary>The largest body that can carry <paramref name="photos"/> photos of the largest size.</summary>
    public static long MaxBody(int photos) => photos * (long)PhotoLimits.MaxBytes + Room;

    /// <summary>Reads a multipart body that may carry up to <paramref name="photos"/> photos.</summary>
    public static async Task<IFormCollection> ReadFormAsync(HttpContext http, int photos, CancellationToken ct)
    {
        var maxBody = MaxBody(photos);
        // Refused from the declared length, before any of the body is read; a body without one is cut off at the limit.
        if (http.Request.ContentLength > maxBody) throw TooLarge(photos);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = maxBody;
        if (!http.Request.HasFormContentType)
            throw new PhotoRejectedException(StatusCodes.Status415UnsupportedMediaType, $"Send photos as {MediaType} in parts named {Field}.");
        try
        {
            return await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = maxBody, ValueCountLimit = 16 }, ct);
        }
        catch (Exception ex) when (ex is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
            || ex is InvalidDataException && ex.Message.Contains("body length limit", StringComparison.OrdinalIgnoreCase))
        {
            throw TooLarge(photos);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            // Other limits (16 form values, a header line's length) and torn bodies: the form is malformed, not too large.
            throw new PhotoRejectedException(StatusCodes.Status400BadRequest, $"The multipart body is malformed: send each image in a part named {Field}.");
        }
    }

    /// <summary>One uploaded file, checked and re-encoded (JPEG, no metadata) with its thumbnail.</summary>
    public static async Task<PhotoUpload> EncodeAsync(IFormFile file, CancellationToken ct)
    {
        if (file.Length > PhotoLimits.MaxBytes) throw TooLarge(1);
        if (file.Length == 0) throw new PhotoRejectedException(StatusCodes.Status400BadRequest, "The photo is empty.");
        var bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(bytes, ct);
        return await PhotoEncoder.EncodeAsync(bytes, ct);
    }

    private static PhotoRejectedException TooLarge(int photos) => new(StatusCodes.Status413PayloadTooLarge, photos == 1
        ? $"A photo is at most {PhotoLimits.MaxBytes / (1024 * 1024)} MB."
        : $"At most {photos} photos of at most {PhotoLimits.MaxBytes / (1024 * 1024)} MB each.");
}
