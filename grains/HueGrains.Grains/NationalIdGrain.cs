namespace HueGrains.Grains;

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
