using HueGrains.Grains;

namespace HueGrains.Tests.Domain;

/// <summary>A state write that fails may have committed: the stored state decides whether it happened.</summary>
public class AmbiguousWriteTests
{
    private sealed class Versioned
    {
        public long Version { get; set; }
    }

    /// <summary>Storage whose write stores the state and then fails, or fails before storing, as told.</summary>
    private sealed class FlakyState(bool commitsBeforeFailing, bool readFails = false) : IPersistentState<Versioned>
    {
        private long _stored;

        public Versioned State { get; set; } = new();
        public string? Etag => null;
        public bool RecordExists => _stored > 0;

        public Task WriteStateAsync()
        {
            if (commitsBeforeFailing) _stored = State.Version;
            throw new TimeoutException("The storage did not answer in time.");
        }

        public Task ReadStateAsync() => readFails
            ? throw new TimeoutException("Still unreachable.")
            : Task.FromResult(State = new Versioned { Version = _stored });

        public Task ClearStateAsync() => throw new NotSupportedException();
    }

    [Fact]
    public async Task A_write_that_committed_before_failing_counts_as_done()
    {
        var state = new FlakyState(commitsBeforeFailing: true) { State = new Versioned { Version = 3 } };
        await Assert.ThrowsAsync<TimeoutException>(state.WriteStateAsync);
        Assert.True(await EntityEvents.CommittedAnywayAsync(state, s => s.Version, 3));
        Assert.Equal(3, state.State.Version);
    }

    [Fact]
    public async Task A_write_that_never_landed_or_cannot_be_checked_is_a_failure()
    {
        var lost = new FlakyState(commitsBeforeFailing: false) { State = new Versioned { Version = 3 } };
        await Assert.ThrowsAsync<TimeoutException>(lost.WriteStateAsync);
        Assert.False(await EntityEvents.CommittedAnywayAsync(lost, s => s.Version, 3));
        Assert.Equal(0, lost.State.Version); // memory holds what is stored again

        var unreachable = new FlakyState(commitsBeforeFailing: true, readFails: true) { State = new Versioned { Version = 3 } };
        await Assert.ThrowsAsync<TimeoutException>(unreachable.WriteStateAsync);
        Assert.False(await EntityEvents.CommittedAnywayAsync(unreachable, s => s.Version, 3));
    }
}
