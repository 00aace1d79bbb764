using HueGrains.Persistence;
using Orleans.Concurrency;

namespace HueGrains.Grains;

/// <summary>Serves stored photos to the HTTP edge straight from the photo store; the report's grain stays asleep.</summary>
[GrainType("feedback-photos"), StatelessWorker]
public sealed class FeedbackPhotosGrain(IPhotoStore photos) : Grain, IFeedbackPhotosGrain
{
    public Task<PhotoContent?> Read(string feedbackId, string photoId, bool thumbnail, string? knownETag, CancellationToken ct) =>
        photos.ReadAsync(feedbackId, photoId, thumbnail, knownETag, ct);
}
