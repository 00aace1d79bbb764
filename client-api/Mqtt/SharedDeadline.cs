namespace HueGrains.Api.Mqtt;

/// <summary>
/// Deadlines for work that starts all the time (each MQTT publish): every start within one <see cref="Resolution"/>
/// shares a token, cancelled <c>timeout</c> + <see cref="Resolution"/> after the slice's first start. A deadline is its
/// timeout plus at most one slice, for one timer per slice instead of a linked token source and a timer per publish.
/// Time is the given <see cref="TimeProvider"/>'s.
/// </summary>
public sealed class SharedDeadline(TimeSpan timeout, TimeProvider clock)
{
    public static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(250);

    private sealed record Slice(long Number, CancellationTokenSource Source);

    private Slice? _current;

    /// <summary>The token of work starting now: cancelled after between <c>timeout</c> and <c>timeout</c> + <see cref="Resolution"/>.</summary>
    public CancellationToken Next()
    {
        var number = (long)(clock.GetElapsedTime(0).Ticks / Resolution.Ticks);
        var slice = Volatile.Read(ref _current);
        if (slice?.Number == number) return slice.Source.Token;
        // A source that is not disposed lets its timer go when it fires; one that lost the race below is disposed, which stops it.
        var fresh = new Slice(number, new CancellationTokenSource(timeout + Resolution, clock));
        var seen = Interlocked.CompareExchange(ref _current, fresh, slice);
        if (seen == slice) return fresh.Source.Token;
        fresh.Source.Dispose();
        return seen!.Source.Token;
    }
}
