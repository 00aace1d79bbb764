using Npgsql;

namespace HueGrains.Persistence;

/// <summary>Photos in <c>hue_feedback_photos</c> (deploy/sql/012): one row per photo, image and thumbnail as bytea.</summary>
public sealed class PostgresPhotoStore(NpgsqlDataSource db) : IPhotoStore
{
    public async Task SaveAsync(string feedbackId, PhotoUpload photo, CancellationToken ct)
    {
        await using var insert = db.CreateCommand("""
            INSERT INTO hue_feedback_photos (feedback_id, photo_id, added_at, width, height, image, image_etag, thumbnail, thumbnail_etag)
            VALUES ($1, $2, now(), $3, $4, $5, $6, $7, $8)
            ON CONFLICT (feedback_id, photo_id) DO NOTHING
            """);
        foreach (var value in new object[] { feedbackId, photo.PhotoId, photo.Width, photo.Height, photo.Image, photo.ImageETag, photo.Thumbnail, photo.ThumbnailETag })
            insert.Parameters.Add(new NpgsqlParameter { Value = value });
        await insert.ExecuteNonQueryAsync(ct);
    }

    public async Task<PhotoContent?> ReadAsync(string feedbackId, string photoId, bool thumbnail, string? knownETag, CancellationToken ct)
    {
        var (bytes, etag) = thumbnail ? ("thumbnail", "thumbnail_etag") : ("image", "image_etag");
        // The bytes are sent only when the caller does not already hold them.
        await using var query = db.CreateCommand($"""
            SELECT {etag}, hidden, CASE WHEN {etag} = $3 THEN NULL ELSE {bytes} END
            FROM hue_feedback_photos WHERE feedback_id = $1 AND photo_id = $2
            """);
        query.Parameters.Add(new NpgsqlParameter { Value = feedbackId });
        query.Parameters.Add(new NpgsqlParameter { Value = photoId });
        query.Parameters.Add(new NpgsqlParameter { Value = (object?)knownETag ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await query.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new PhotoContent(reader.IsDBNull(2) ? null : reader.GetFieldValue<byte[]>(2), reader.GetString(0), reader.GetBoolean(1));
    }

    public Task HideAsync(string feedbackId, string photoId, CancellationToken ct) =>
        ExecuteAsync("UPDATE hue_feedback_photos SET hidden = true WHERE feedback_id = $1 AND photo_id = $2", feedbackId, photoId, ct);

    public Task DeleteAsync(string feedbackId, string photoId, CancellationToken ct) =>
        ExecuteAsync("DELETE FROM hue_feedback_photos WHERE feedback_id = $1 AND photo_id = $2", feedbackId, photoId, ct);

    private async Task ExecuteAsync(string sql, string feedbackId, string photoId, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = feedbackId });
        command.Parameters.Add(new NpgsqlParameter { Value = photoId });
        await command.ExecuteNonQueryAsync(ct);
    }
}
