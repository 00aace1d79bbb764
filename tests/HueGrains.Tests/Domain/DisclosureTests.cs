namespace HueGrains.Tests.Domain;

public class DisclosureTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, null)]
    [InlineData(4, null)]
    [InlineData(5, 5)]
    [InlineData(7, 5)]
    [InlineData(8, 10)]
    [InlineData(12, 10)]
    [InlineData(13, 15)]
    public void A_count_about_people_is_withheld_below_5_and_rounded_to_5_above(int count, int? published) =>
        Assert.Equal(published, Disclosure.Count(count));

    [Fact]
    public void Rates_and_the_median_resting_on_fewer_than_5_items_are_withheld_and_coarsened_otherwise()
    {
        var few = Indicators.Empty with { ResolvedCases = 4, CompletedOnTime = 3, OnTimeRate = 0.75, ResolvedFeedback = 3, MedianHoursToResolve = 2.12 };
        Assert.Null(Disclosure.Value(few, "onTimeRate"));
        Assert.Null(Disclosure.Value(few, "medianHoursToResolve"));
        var many = few with { ResolvedCases = 30, CompletedOnTime = 25, OnTimeRate = 0.8333, ResolvedFeedback = 9, MedianHoursToResolve = 2.62 };
        Assert.Equal(0.85, Disclosure.Value(many, "onTimeRate"));
        // 4 of 5 on time would say "one was late": the rate goes with the count it would give away.
        Assert.Null(Disclosure.Value(many with { ResolvedCases = 5, CompletedOnTime = 4, OnTimeRate = 0.8 }, "onTimeRate"));
        Assert.Equal(3, Disclosure.Value(many, "medianHoursToResolve"));
        Assert.Equal(2, Disclosure.Value(many with { FloodAlertLevel = 2 }, "floodAlertLevel")); // not about people: as it is
    }

    /// <summary>
    /// The subtraction attack: for every city of four communes with 0–11 open reports each, take what the public sees (the
    /// city's total and each commune's count), and try every combination of true counts those published figures can stand
    /// for. A withheld commune must keep at least two possible counts.
    /// </summary>
    [Fact]
    public void No_withheld_count_can_be_worked_out_by_subtracting_the_other_communes_from_the_city_total()
    {
        const int communes = 4, most = 11;
        var totalsPublished = 0;
        var cities = 0;
        foreach (var counts in Cities(communes, most))
        {
            cities++;
            var parts = counts.Select(n => Indicators.Empty with { OpenFeedback = n }).ToList();
            var shownTotal = Disclosure.CityValue(Indicators.Empty with { OpenFeedback = counts.Sum() }, parts, "openFeedback");
            if (shownTotal is null) continue;
            totalsPublished++;
            var shown = parts.Select(p => Disclosure.Value(p, "openFeedback")).ToList();
            for (var i = 0; i < communes; i++)
            {
                if (shown[i] is not null) continue;
                var others = Enumerable.Range(0, communes).Where(j => j != i).Select(j => StandsFor(shown[j])).ToList();
                var possible = StandsFor(null).Where(x => Sums(others).Any(rest => StandsFor(shownTotal).Contains(x + rest))).ToList();
                Assert.True(possible.Count >= 2, $"city {string.Join(",", counts)}: commune {i} can only have {string.Join(" or ", possible)} open reports");
            }
        }
        Assert.True(totalsPublished > cities * 0.8, $"the city's total was published for only {totalsPublished} of {cities} cities");
    }

    /// <summary>The true counts a published count may stand for.</summary>
    private static int[] StandsFor(double? published) => published switch
    {
        null => [1, 2, 3, 4],
        0 => [0],
        var v => [.. Enumerable.Range((int)v.Value - 2, 5).Where(n => n >= Disclosure.Threshold && Disclosure.Count(n) == (int)v.Value)],
    };

    private static IEnumerable<int> Sums(List<int[]> sets) =>
        sets.Aggregate((IEnumerable<int>)[0], (sums, set) => sums.SelectMany(s => set.Select(n => s + n)).Distinct());

    private static IEnumerable<int[]> Cities(int communes, int most)
    {
        var counts = new int[communes];
        while (true)
        {
            yield return (int[])counts.Clone();
            var i = 0;
            while (i < communes && ++counts[i] > most) counts[i++] = 0;
            if (i == communes) yield break;
        }
    }
}
