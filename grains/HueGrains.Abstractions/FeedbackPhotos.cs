namespace HueGrains;

/// <summary>The limits on a report's photos (issue 17): what the platform accepts and what it keeps.</summary>
public static class PhotoLimits
{
    public const int MaxBytes = 5 * 1024 * 1024;
    public const int MaxPerReport = 5;
    /// <summary>Declared dimensions beyond these are refused from the header, before anything is decoded.</summary>
    public const int MaxSide = 10_000;
    public const long MaxPixels = 40_000_000;
    public const int StoredLongestSide = 2048;
    public const int ThumbnailLongestSide = 320;
    public const int JpegQuality = 85;
    public const int MaxReason = 500;

    public static bool IsPhotoId(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    public static string NewPhotoId() => Guid.NewGuid().ToString("N");
}

/// <summary>A photo as a report keeps it: the bytes live in the photo store, this is what the report knows of them.</summary>
[GenerateSerializer, Immutable, Alias("hue.FeedbackPhoto")]
public sealed record FeedbackPhoto(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset AddedAt,
    [property: Id(2)] int Width,
    [property: Id(3)] int Height,
    [property: Id(4)] bool Hidden = false,
    [property: Id(5)] string? HiddenReason = null)
{
    public string Url(string feedbackId) => $"/api/v1/feedback/{feedbackId}/photos/{Id}";
}

/// <summary>A photo already re-encoded (JPEG, no metadata) with its thumbnail, ready to be stored.</summary>
[GenerateSerializer, Immutable, Alias("hue.PhotoUpload")]
public sealed record PhotoUpload(
    [property: Id(0)] string PhotoId,
    [property: Id(1)] byte[] Image,
    [property: Id(2)] int Width,
    [property: Id(3)] int Height,
    [property: Id(4)] byte[] Thumbnail,
    [property: Id(5)] string ImageETag,
    [property: Id(6)] string ThumbnailETag);

/// <summary>Stored bytes of a photo or its thumbnail; <see cref="Bytes"/> is null when the caller already holds this <see cref="ETag"/>.</summary>
[GenerateSerializer, Immutable, Alias("hue.PhotoContent")]
public sealed record PhotoContent(
    [property: Id(0)] byte[]? Bytes,
    [property: Id(1)] string ETag,
    [property: Id(2)] bool Hidden);

/// <summary>Reads stored photos for the HTTP edge without waking the report (stateless: any silo answers).</summary>
[Alias("hue.IFeedbackPhotosGrain")]
public interface IFeedbackPhotosGrain : IGrainWithIntegerKey
{
    /// <summary>The photo (or its thumbnail), or null if there is none; no bytes when <paramref name="knownETag"/> matches.</summary>
    [Alias("Read")]
    Task<PhotoContent?> Read(string feedbackId, string photoId, bool thumbnail, string? knownETag, CancellationToken ct = default);
}
