namespace HueGrains.Grains;

/// <summary>
/// Serialises state writes of a grain whose methods interleave. Orleans must not run two writes of one state at once
/// (the second would carry a stale etag); a save requested while one is in flight is folded into one more write.
/// </summary>
internal sealed class StateSaver(StateSaver.IWriter writer)
{
    /// <summary>The grain whose state is written (an interface, not a delegate: one object less per activation).</summary>
    public interface IWriter
    {
        Task WriteStateAsync();
    }

    private Task? _running;
    private bool _pending;

    /// <summary>Whether a write is in flight (a finished one is not kept).</summary>
    internal bool Writing => _running is not null;

    public Task SaveAsync()
    {
        _pending = true;
        if (_running is { } running) return running;
        var started = RunAsync();
        if (!started.IsCompleted) _running = started; // a write that finished at once (or failed at once) is not kept
        return started;
    }

    private async Task RunAsync()
    {
        try
        {
            while (_pending)
            {
                _pending = false;
                await writer.WriteStateAsync();
            }
        }
        finally
        {
            _running = null; // a finished write's task and continuation are ~170 B an idle sensor need not keep
        }
    }
}
