using System.Collections.Concurrent;

namespace HueGrains.IntegrationTests;

[Alias("hue.test.IReminderProbeGrain")]
public interface IReminderProbeGrain : IGrainWithStringKey
{
    [Alias("Arm")]
    Task Arm();
}

/// <summary>Registers a reminder due in one second and counts its ticks (kept outside the activation).</summary>
[GrainType("test-reminder-probe")]
public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    private static readonly ConcurrentDictionary<string, int> Ticks = new();

    public static int Fired(string key) => Ticks.GetValueOrDefault(key);

    public Task Arm() => this.RegisterOrUpdateReminder("probe", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Ticks.AddOrUpdate(this.GetPrimaryKeyString(), 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
