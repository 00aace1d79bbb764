namespace HueGrains.Grains;

/// <summary>
/// The durable reminder that tells a dossier or report its deadline passed, even when it has been inactive for days.
/// It fires at the deadline and then hourly until the entity has marked itself overdue or is done.
/// </summary>
internal static class DeadlineWatch
{
    public const string Reminder = "deadline";
    private static readonly TimeSpan Recheck = TimeSpan.FromHours(1);

    public static Task WatchAsync(this Grain grain, DateTimeOffset dueAt, DateTimeOffset now) =>
        grain.RegisterOrUpdateReminder(Reminder, dueAt - now > TimeSpan.FromSeconds(1) ? dueAt - now : TimeSpan.FromSeconds(1), Recheck);

    public static async Task StopWatchingAsync(this Grain grain)
    {
        if (await grain.GetReminder(Reminder) is { } reminder) await grain.UnregisterReminder(reminder);
    }
}
