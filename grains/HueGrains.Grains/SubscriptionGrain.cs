using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HueGrains.Grains;

/// <summary>
/// One webhook subscription. It reads the change feed after its durable cursor and posts the matching changes in
/// small batches, oldest first; the cursor moves (and is written) only after the target answered 2xx, so a crash or a
/// failing target repeats a batch (with the same delivery id) rather than losing it. After a silo failure the registry's
/// wake-up brings it back within seconds (and its reminder within a minute); while active a grain timer polls the feed.
/// </summary>
[GrainType("subscription")]
public sealed partial class SubscriptionGrain(
    [PersistentState("subscription", "hue")] IPersistentState<SubscriptionState> state,
    IWebhookPayloads payloads,
    WebhookSender sender,
    IOptions<SubscriptionOptions> options,
    IOptionsMonitor<NationalSyncOptions> nationalSync,
    TimeProvider clock,
    ILogger<SubscriptionGrain> log) : Grain, ISubscriptionGrain, IRemindable
{
    private const string Reminder = "deliver";
    private const int PageSize = 500;
    private const int BacklogBound = 10_000;
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);
    private static readonly TimeSpan TickBudget = TimeSpan.FromSeconds(5);

    private IGrainTimer? timer;
    private DateTimeOffset nextAttemptAt;
    private DateTimeOffset windowStart;
    private int sentInWindow;

    private SubscriptionOptions Options => options.Value;

    private string Id => this.GetPrimaryKeyString();

    private ISubscriptionRegistry Registry => GrainFactory.GetGrain<ISubscriptionRegistry>(0);

    public override Task OnActivateAsync(CancellationToken ct)
    {
        if (state.State is { Spec: not null, Paused: false }) StartPolling();
        return Task.CompletedTask;
    }

    public async Task<SubscriptionStatus> Create(SubscriptionSpec spec, CancellationToken ct)
    {
        if (state.State.Spec is not null) throw new HueConflictException("This subscription exists already.");
        await Registry.Add(Id, spec.Owner.Subject ?? spec.Owner.Role, ct);
        try
        {
            var head = (await GrainFactory.Projections().Changes(spec.Query with { After = 0, Limit = 1 }, ct)).Head;
            state.State = new SubscriptionState { Spec = spec, Cursor = head, CreatedAt = clock.GetUtcNow() };
            await state.WriteStateAsync(ct);
        }
        catch
        {
            state.State = new SubscriptionState();
            await Registry.Remove(Id, CancellationToken.None); // not created: its place under the owner's cap is free again
            throw;
        }
        await this.RegisterOrUpdateReminder(Reminder, ReminderPeriod, ReminderPeriod, ct);
        StartPolling();
        return (await Status(ct))!;
    }

    public async Task<SubscriptionStatus?> Status(CancellationToken ct)
    {
        if (state.State is not { Spec: { } spec } s) return null;
        return new SubscriptionStatus(Id, spec.Url, spec.Query.Types, spec.Query.Commune, spec.Filters, spec.ExpiresAt, spec.MaxPerMinute,
            s.Cursor, s.Paused, s.LastSuccessAt, s.LastFailureAt, s.LastFailureStatus, s.LastFailureReason, s.ConsecutiveFailures,
            await BacklogAsync(spec, s.Cursor, ct), s.CreatedAt, spec.Owner.Subject, spec.Kind);
    }

    public async Task<SubscriptionStatus?> Resume(CancellationToken ct)
    {
        if (state.State.Spec is null) return null;
        if (state.State.Paused)
        {
            state.State.Paused = false;
            state.State.FailingSince = null;
            await state.WriteStateAsync(ct);
            await Registry.SetActive(Id, true, ct);
            await this.RegisterOrUpdateReminder(Reminder, ReminderPeriod, ReminderPeriod, ct);
        }
        nextAttemptAt = default;
        StartPolling();
        return await Status(ct);
    }

    public async Task<DeliveryOutcome?> Test(CancellationToken ct)
    {
        if (state.State.Spec is not { } spec) return null;
        return await PostAsync(spec, $"ping-{Guid.NewGuid():N}", [], clock.GetUtcNow(), ct);
    }

    public async Task<bool> Delete(CancellationToken ct)
    {
        if (state.State.Spec is null) return false;
        StopPolling();
        if (await this.GetReminder(Reminder, ct) is { } reminder) await this.UnregisterReminder(reminder, ct);
        await Registry.Remove(Id, ct); // first: a failure after it leaves a subscription that can be deleted again
        await state.ClearStateAsync(ct);
        state.State = new SubscriptionState();
        this.DeactivateOnIdle();
        return true;
    }

    public async Task Wake()
    {
        if (state.State.Spec is null) await Registry.Remove(Id); // a registry entry whose subscription is gone
        else if (state.State is { Spec: { } spec, Paused: false } && !(spec.ExpiresAt <= clock.GetUtcNow())) StartPolling();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Spec is null || state.State.Paused || state.State.Spec.ExpiresAt <= clock.GetUtcNow())
        {
            if (await this.GetReminder(Reminder) is { } reminder) await this.UnregisterReminder(reminder);
            // An expired subscription no longer counts under its owner's cap; a paused one waits for its resume.
            if (state.State.Spec is { } spec) await (spec.ExpiresAt <= clock.GetUtcNow() ? Registry.Remove(Id) : Registry.SetActive(Id, false));
            return;
        }
        StartPolling(); // activation started it already; after a deactivation the reminder is what brings the grain back
    }

    private void StartPolling()
    {
        var poll = TimeSpan.FromMilliseconds(Options.PollMilliseconds);
        timer ??= this.RegisterGrainTimer(DeliverAsync, new GrainTimerCreationOptions(TimeSpan.Zero, poll) { KeepAlive = true });
    }

    private void StopPolling()
    {
        timer?.Dispose();
        timer = null;
    }

    /// <summary>Delivers batches until the feed has nothing more, the target fails, or the throttle says wait.</summary>
    private async Task DeliverAsync(CancellationToken ct)
    {
        // Other calls to this subscription wait while it delivers: one tick stops after a few seconds' work.
        var working = System.Diagnostics.Stopwatch.StartNew();
        while (working.Elapsed < TickBudget && !ct.IsCancellationRequested)
        {
            if (state.State is not { Spec: { } spec, Paused: false } s) return;
            var now = clock.GetUtcNow();
            if (spec.ExpiresAt <= now) { StopPolling(); return; }
            if (now < nextAttemptAt) return;
            var allowance = Allowance(spec, now);
            if (allowance == 0) return;

            var (batch, through, lost) = await NextBatchAsync(spec, s.Cursor, Math.Min(allowance, Options.BatchSize), ct);
            if (lost is not null)
            {
                await LostAsync(s, lost, now, ct);
                return;
            }
            if (batch.Count == 0)
            {
                if (through > s.Cursor) { s.Cursor = through; await state.WriteStateAsync(ct); } // only filtered-out changes
                return;
            }
            var deliveryId = string.Create(CultureInfo.InvariantCulture, $"{Id}-{s.Cursor}-{through}"); // the same batch, the same id
            var outcome = await PostAsync(spec, deliveryId, batch, now, ct);
            now = clock.GetUtcNow();
            if (!outcome.Delivered)
            {
                await FailedAsync(s, outcome, now, ct);
                return;
            }
            (s.Cursor, s.LastSuccessAt, s.ConsecutiveFailures, s.FailingSince) = (through, now, 0, null);
            await state.WriteStateAsync(ct);
            sentInWindow += batch.Count;
        }
    }

    /// <summary>One attempt, in the target kind's body shape and headers; the delivery rules are the same for every kind.</summary>
    private async Task<DeliveryOutcome> PostAsync(SubscriptionSpec spec, string deliveryId, IReadOnlyList<ChangeRecord> changes, DateTimeOffset now, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(Options.TimeoutSeconds);
        if (spec.Kind == SubscriptionKind.Webhook)
            return await sender.PostAsync(spec.Url, spec.Secret, deliveryId, await payloads.BodyAsync(Id, deliveryId, changes, spec.Owner, ct), timeout, now, ct);
        // Checked at creation too; a silo without the keys keeps the changes (retried, never dropped) until it has them.
        if (nationalSync.CurrentValue is not { IsConfigured: true } platform) return new DeliveryOutcome(false, null, "national-sync-not-configured", null, true);
        string body;
        try
        {
            body = NationalDossierPayload.Render(changes);
        }
        catch (Exception e) when (e is KeyNotFoundException or System.Text.Json.JsonException or InvalidOperationException)
        {
            // A change the portal's shape cannot carry: a failure (backed off, then the pause) whose reason the status shows.
            return new DeliveryOutcome(false, null, "change-not-mappable-to-portal", null, false);
        }
        return await sender.PostAsync(spec.Url, spec.Secret, deliveryId, body, timeout, now, ct, NationalDossierPayload.Headers(platform));
    }

    private async Task FailedAsync(SubscriptionState s, DeliveryOutcome outcome, DateTimeOffset now, CancellationToken ct)
    {
        s.ConsecutiveFailures++;
        (s.LastFailureAt, s.LastFailureStatus, s.LastFailureReason) = (now, outcome.Status, outcome.Reason);
        s.FailingSince ??= now;
        // Retry-After is honoured up to an hour: a target cannot park a subscription for longer than that per attempt.
        nextAttemptAt = now + (outcome.RetryAfter is { } asked ? TimeSpan.FromTicks(Math.Min(asked.Ticks, MaxRetryAfter.Ticks)) : Backoff(s.ConsecutiveFailures));
        if (now - s.FailingSince >= TimeSpan.FromMinutes(Options.PauseAfterMinutes))
        {
            s.Paused = true;
            StopPolling();
            LogPaused(log, Id, s.ConsecutiveFailures);
        }
        else
        {
            LogFailed(log, Id, outcome.Status, outcome.Reason, s.ConsecutiveFailures);
        }
        await state.WriteStateAsync(ct);
        if (s.Paused) await Registry.SetActive(Id, false, ct);
    }

    /// <summary>Exponential from the configured base, capped, with jitter in [½, 1] of the step so receivers are not hit in step.</summary>
    private TimeSpan Backoff(int failures)
    {
        var step = Math.Min(Options.BackoffBaseMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30)), Options.BackoffMaxSeconds * 1000.0);
        return TimeSpan.FromMilliseconds(step * (0.5 + Random.Shared.NextDouble() / 2));
    }

    /// <summary>How many changes the throttle lets through now (int.MaxValue without one).</summary>
    private int Allowance(SubscriptionSpec spec, DateTimeOffset now)
    {
        if (spec.MaxPerMinute is not { } max) return int.MaxValue;
        if (now - windowStart >= TimeSpan.FromMinutes(1)) (windowStart, sentInWindow) = (now, 0);
        var left = Math.Max(0, max - sentInWindow);
        if (left == 0) nextAttemptAt = windowStart + TimeSpan.FromMinutes(1);
        return left;
    }

    /// <summary>
    /// The next changes that match, at most <paramref name="size"/>, and the position delivery resumes after once they
    /// are delivered: past the filtered-out changes of the page read, but never past a matching change not taken.
    /// </summary>
    private async Task<(List<ChangeRecord> Batch, long Through, ChangePage? Lost)> NextBatchAsync(SubscriptionSpec spec, long cursor, int size, CancellationToken ct)
    {
        // Types and commune are filtered in the feed's query; only the other filters need a longer page to find a batch.
        var page = await GrainFactory.Projections().Changes(spec.Query with { After = cursor, Limit = spec.Filters.IsEmpty() ? size : PageSize }, ct);
        if (cursor < page.ForgottenThrough || cursor > page.Head) return ([], cursor, page);
        var batch = new List<ChangeRecord>(size);
        foreach (var change in page.Items)
        {
            if (!spec.Filters.Admits(change)) continue;
            if (batch.Count == size) return (batch, batch[^1].Position, null);
            batch.Add(change);
        }
        return (batch, page.Items.Count > 0 ? page.Items[^1].Position : cursor, null);
    }

    /// <summary>
    /// The feed no longer holds what follows the cursor (the subscription fell behind the retention), or the cursor is
    /// ahead of it (a restored database): never skip silently. Pause, say why in the status; a resume continues from the
    /// oldest change kept.
    /// </summary>
    private async Task LostAsync(SubscriptionState s, ChangePage page, DateTimeOffset now, CancellationToken ct)
    {
        var behind = s.Cursor < page.ForgottenThrough;
        (s.LastFailureAt, s.LastFailureStatus, s.LastFailureReason) = (now, null, behind ? "changes-expired" : "cursor-ahead-of-feed");
        if (behind) s.Cursor = page.ForgottenThrough;
        s.Paused = true;
        StopPolling();
        LogPaused(log, Id, s.ConsecutiveFailures);
        await state.WriteStateAsync(ct);
        await Registry.SetActive(Id, false, ct);
    }

    private async Task<int> BacklogAsync(SubscriptionSpec spec, long cursor, CancellationToken ct)
    {
        var count = 0;
        for (var read = 0; read < BacklogBound && count < BacklogBound;)
        {
            var page = await GrainFactory.Projections().Changes(spec.Query with { After = cursor, Limit = 1000 }, ct);
            if (page.Items.Count == 0) break;
            count += page.Items.Count(spec.Filters.Admits);
            read += page.Items.Count;
            cursor = page.Items[^1].Position;
        }
        return Math.Min(count, BacklogBound);
    }

    [LoggerMessage(LogLevel.Information, "Subscription {SubscriptionId} delivery failed ({Status} {Reason}), {Failures} in a row; retrying")]
    private static partial void LogFailed(ILogger log, string subscriptionId, int? status, string? reason, int failures);

    [LoggerMessage(LogLevel.Warning, "Subscription {SubscriptionId} paused after {Failures} failed deliveries")]
    private static partial void LogPaused(ILogger log, string subscriptionId, int failures);
}
