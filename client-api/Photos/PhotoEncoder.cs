using System.Security.Cryptography;
using NetVips;

namespace HueGrains.Api.Photos;

/// <summary>Why an upload is not a photo the platform keeps: the HTTP status and the message naming field <c>photo</c>.</summary>
public sealed class PhotoRejectedException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// Turns an uploaded JPEG, PNG or WebP into what the platform stores: a JPEG (quality 85, longest side at most 2048 px)
/// with every metadata block stripped (EXIF with its GPS position, XMP, IPTC, ICC), and a 320 px thumbnail. The format
/// is sniffed from the bytes (never the file name or the declared type), and declared dimensions are checked from the
/// header before any pixel is decoded, so an image bomb costs nothing. libvips runs with its operation cache off and one
/// worker thread per image, and at most a few images at once.
/// </summary>
public static class PhotoEncoder
{
    private static readonly SemaphoreSlim Concurrent = new(Math.Max(1, Environment.ProcessorCount / 2));

    static PhotoEncoder()
    {
        Cache.Max = 0;
        Cache.MaxMem = 0;
        Cache.MaxFiles = 0;
        NetVips.NetVips.Concurrency = 1;
        NetVips.NetVips.BlockUntrusted = true; // only libvips' fuzzed loaders (JPEG, PNG, WebP are among them)
    }

    public static string? SniffFormat(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "jpeg"
        : bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? "png"
        : bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8) ? "webp"
        : null;

    public static async Task<PhotoUpload> EncodeAsync(byte[] upload, CancellationToken ct)
    {
        if (SniffFormat(upload) is null)
            throw new PhotoRejectedException(StatusCodes.Status415UnsupportedMediaType, "A photo is a JPEG, PNG or WebP image; these bytes are none of them.");
        await Concurrent.WaitAsync(ct);
        try
        {
            return Encode(upload);
        }
        finally
        {
            Concurrent.Release();
        }
    }

    private static PhotoUpload Encode(byte[] upload)
    {
        try
        {
            using (var header = Image.NewFromBuffer(upload, access: Enums.Access.Sequential, failOn: Enums.FailOn.Error))
            {
                if (header.Width > PhotoLimits.MaxSide || header.Height > PhotoLimits.MaxSide || (long)header.Width * header.Height > PhotoLimits.MaxPixels)
                    throw new PhotoRejectedException(StatusCodes.Status400BadRequest,
                        $"The image declares {header.Width}×{header.Height} pixels; at most {PhotoLimits.MaxSide} px a side and {PhotoLimits.MaxPixels / 1_000_000} megapixels.");
            }
            // Shrink-on-load, rotated upright by its EXIF orientation, converted to sRGB; then everything but pixels goes.
            using var shrunk = Image.ThumbnailBuffer(upload, PhotoLimits.StoredLongestSide, height: PhotoLimits.StoredLongestSide,
                size: Enums.Size.Down, outputProfile: "srgb", failOn: Enums.FailOn.Error);
            using var flat = shrunk.HasAlpha() ? shrunk.Flatten(background: [255, 255, 255]) : shrunk.Copy();
            using var srgb = flat.Interpretation is Enums.Interpretation.Srgb or Enums.Interpretation.Bw ? flat.Copy() : flat.Colourspace(Enums.Interpretation.Srgb);
            var image = srgb.JpegsaveBuffer(q: PhotoLimits.JpegQuality, optimizeCoding: true, keep: Enums.ForeignKeep.None);
            var (width, height) = (srgb.Width, srgb.Height);
            using var small = Image.ThumbnailBuffer(image, PhotoLimits.ThumbnailLongestSide, height: PhotoLimits.ThumbnailLongestSide, size: Enums.Size.Down);
            var thumbnail = small.JpegsaveBuffer(q: PhotoLimits.JpegQuality, keep: Enums.ForeignKeep.None);
            return new PhotoUpload(PhotoLimits.NewPhotoId(), image, width, height, thumbnail, ETagOf(image), ETagOf(thumbnail));
        }
        catch (VipsException ex)
        {
            throw new PhotoRejectedException(StatusCodes.Status400BadRequest, $"The image cannot be read: {FirstLine(ex.Message)}");
        }
    }

    private static string ETagOf(byte[] bytes) => $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"";

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
