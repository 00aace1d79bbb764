using HueGrains.Grains;

namespace HueGrains.Tests.Domain;

public class QuietPeriodsTests
{
    [Fact]
    public void A_quiet_period_trims_at_its_first_look_and_once_the_idle_activations_are_collected_then_waits_for_the_next_one()
    {
        var periods = new QuietPeriods(afterCollection: 3);
        bool[] looks = [false, true, true, true, true, true, false, false, true, true, true];
        var trims = looks.Select(quiet => periods.TrimAfter(quiet)).ToArray();
        Assert.Equal([false, true, false, true, false, false, false, false, true, false, true], trims);
    }
}
