namespace HueGrains.Tests;

/// <summary>Waits for an eventually consistent condition (streams, timers), failing with the last value seen.</summary>
public static class Eventually
{
    public static async Task<T> Holds<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = await probe();
            if (condition(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Condition not met in time; last value: {value}");
            await Task.Delay(25);
        }
    }
}
