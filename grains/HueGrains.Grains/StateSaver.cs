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

    public Task SaveAsync()
    {
        _pending = true;
        return _running is { IsCompleted: false } ? _running : _running = RunAsync();
    }

    private async Task RunAsync()
    {
        while (_pending)
        {
            _pending = false;
            await writer.WriteStateAsync();
        }
    }
}
