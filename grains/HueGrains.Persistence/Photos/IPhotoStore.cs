namespace HueGrains.Persistence;

/// <summary>
/// The bytes of reports' photos and thumbnails: <c>hue_feedback_photos</c> (deploy/sql/012) in PostgreSQL, memory
/// otherwise. A report's grain state keeps only what it knows of them (<see cref="FeedbackPhoto"/>).
/// </summary>
public interface IPhotoStore
{
    /// <summary>Stores a photo; storing the same photo id again changes nothing.</summary>
    Task SaveAsync(string feedbackId, PhotoUpload photo, CancellationToken ct);

    Task<PhotoContent?> ReadAsync(string feedbackId, string photoId, bool thumbnail, string? knownETag, CancellationToken ct);

    Task HideAsync(string feedbackId, string photoId, CancellationToken ct);

    Task DeleteAsync(string feedbackId, string photoId, CancellationToken ct);
}
