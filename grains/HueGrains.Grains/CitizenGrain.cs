using Microsoft.Extensions.DependencyInjection;
using HueGrains.Grains.Domain;

namespace HueGrains.Grains;

[GenerateSerializer, Alias("hue.CitizenState")]
public sealed class CitizenState
{
    [Id(0)] public CitizenProfile? Profile { get; set; }
    [Id(1)] public DateTimeOffset RegisteredAt { get; set; }
    [Id(2)] public List<string> Cases { get; set; } = [];
    [Id(3)] public List<string> Feedback { get; set; } = [];
}

/// <summary>A citizen's profile, given once. Holds personal data; its key is an opaque id, never the national ID.</summary>
[GrainType("citizen")]
public sealed class CitizenGrain(
    [PersistentState("citizen", "hue")] IPersistentState<CitizenState> state,
    [FromKeyedServices(HueTime.Key)] TimeProvider clock) : Grain, ICitizenGrain
{
    /// <summary>References kept in grain state; older ones live in the case and feedback tables.</summary>
    private const int MaxRefs = 1000;

    private CitizenState S => state.State;

    public async Task<CitizenView> Register(CitizenProfile profile, CancellationToken ct)
    {
        if (S.Profile is not null) throw new HueConflictException("This citizen is already registered.");
        profile = CitizenRules.Normalize(profile, clock.GetUtcNow());
        var id = this.GetPrimaryKeyString();
        var holder = await GrainFactory.GetGrain<INationalIdGrain>(CitizenRules.NationalIdKey(profile.NationalId)).Claim(id, ct);
        if (holder != id) throw new HueConflictException("A citizen with this national ID is already registered; data is given once.");
        S.Profile = profile;
        S.RegisteredAt = clock.GetUtcNow();
        await state.WriteStateAsync(ct);
        return View();
    }

    public Task<CitizenView?> Get(CancellationToken ct) => Task.FromResult(S.Profile is null ? null : View());

    public Task LinkCase(string caseId, CancellationToken ct) => Link(S.Cases, caseId, ct);

    public Task LinkFeedback(string feedbackId, CancellationToken ct) => Link(S.Feedback, feedbackId, ct);

    private async Task Link(List<string> refs, string id, CancellationToken ct)
    {
        if (refs.Contains(id)) return;
        refs.Add(id);
        if (refs.Count > MaxRefs) refs.RemoveAt(0);
        await state.WriteStateAsync(ct);
    }

    private CitizenView View() => new(this.GetPrimaryKeyString(), S.Profile!, S.RegisteredAt, [.. S.Cases], [.. S.Feedback]);
}

[GenerateSerializer, Alias("hue.NationalIdState")]
public sealed class NationalIdState
{
    [Id(0)] public string? CitizenId { get; set; }
}

[GrainType("national-id")]
public sealed class NationalIdGrain(
    [PersistentState("national-id", "hue")] IPersistentState<NationalIdState> state) : Grain, INationalIdGrain
{
    public async Task<string> Claim(string citizenId, CancellationToken ct)
    {
        if (state.State.CitizenId is null)
        {
            state.State.CitizenId = citizenId;
            await state.WriteStateAsync(ct);
        }
        return state.State.CitizenId;
    }
}
