namespace HueGrains.Persistence;

/// <summary>The embedded mode's photo store: in one grain, like the memory projections, so every local silo sees the same.</summary>
public sealed class MemoryPhotoStore(IGrainFactory grains) : IPhotoStore
{
    private IMemoryPhotosGrain Photos => grains.GetGrain<IMemoryPhotosGrain>(0);

    public Task SaveAsync(string feedbackId, PhotoUpload photo, CancellationToken ct) => Photos.Save(feedbackId, photo);

    public Task<PhotoContent?> ReadAsync(string feedbackId, string photoId, bool thumbnail, string? knownETag, CancellationToken ct) =>
        Photos.Read(feedbackId, photoId, thumbnail, knownETag);

    public Task HideAsync(string feedbackId, string photoId, CancellationToken ct) => Photos.Hide(feedbackId, photoId);

    public Task DeleteAsync(string feedbackId, string photoId, CancellationToken ct) => Photos.Delete(feedbackId, photoId);
}

[Alias("hue.IMemoryPhotosGrain")]
public interface IMemoryPhotosGrain : IGrainWithIntegerKey
{
    [Alias("Save")] Task Save(string feedbackId, PhotoUpload photo);
    [Alias("Read")] Task<PhotoContent?> Read(string feedbackId, string photoId, bool thumbnail, string? knownETag);
    [Alias("Hide")] Task Hide(string feedbackId, string photoId);
    [Alias("Delete")] Task Delete(string feedbackId, string photoId);
}

[GrainType("memory-photos"), KeepAlive] // the only copy of the photos in memory mode: never collected
public sealed class MemoryPhotosGrain : Grain, IMemoryPhotosGrain
{
    private readonly Dictionary<(string, string), (PhotoUpload Photo, bool Hidden)> _photos = [];

    public Task Save(string feedbackId, PhotoUpload photo)
    {
        _photos.TryAdd((feedbackId, photo.PhotoId), (photo, false));
        return Task.CompletedTask;
    }

    public Task<PhotoContent?> Read(string feedbackId, string photoId, bool thumbnail, string? knownETag)
    {
        if (!_photos.TryGetValue((feedbackId, photoId), out var stored)) return Task.FromResult<PhotoContent?>(null);
        var (bytes, etag) = thumbnail ? (stored.Photo.Thumbnail, stored.Photo.ThumbnailETag) : (stored.Photo.Image, stored.Photo.ImageETag);
        return Task.FromResult<PhotoContent?>(new PhotoContent(etag == knownETag ? null : bytes, etag, stored.Hidden));
    }

    public Task Hide(string feedbackId, string photoId)
    {
        if (_photos.TryGetValue((feedbackId, photoId), out var stored)) _photos[(feedbackId, photoId)] = stored with { Hidden = true };
        return Task.CompletedTask;
    }

    public Task Delete(string feedbackId, string photoId)
    {
        _photos.Remove((feedbackId, photoId));
        return Task.CompletedTask;
    }
}
