using HueGrains.Grains.Domain;

namespace HueGrains.Tests.Domain;

public class SensorRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Sensors_write_their_summaries_at_intervals_spread_between_half_and_all_of_the_setting()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), Grains.SensorGrain.SummaryInterval(10, 0));
        Assert.Equal(TimeSpan.FromMinutes(10), Grains.SensorGrain.SummaryInterval(10, 1));
        var random = new Random(16);
        var minutes = Enumerable.Range(0, 1000).Select(_ => Grains.SensorGrain.SummaryInterval(10, random.NextDouble()).TotalMinutes).ToList();
        Assert.All(minutes, m => Assert.InRange(m, 5, 10));
        // 1,000 sensors activated together do not write together: each minute of the span gets its share.
        Assert.All(minutes.GroupBy(m => (int)m), minute => Assert.InRange(minute.Count(), 150, 250));
        Assert.Equal(5, minutes.Select(m => (int)m).Distinct().Count());
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(1.0, 1)]
    [InlineData(2.3, 2)]
    [InlineData(3.49, 2)]
    [InlineData(3.5, 3)]
    public void Water_level_alert_is_the_highest_flood_level_reached_at_Kim_Long(double metres, int level) =>
        Assert.Equal(level, AlertBook.NextLevel(0, metres, SensorKind.WaterLevel.Info().DefaultThresholds, 0.05));

    [Theory]
    [InlineData(10, 20, AqiBand.Good)]
    [InlineData(25, 50, AqiBand.Good)]
    [InlineData(37.5, 75, AqiBand.Moderate)]
    [InlineData(50, 100, AqiBand.Moderate)]
    [InlineData(65, 125, AqiBand.Poor)]
    [InlineData(115, 175, AqiBand.Bad)]
    [InlineData(200, 250, AqiBand.VeryBad)]
    [InlineData(400, 433, AqiBand.Hazardous)]
    public void Pm25_maps_to_VN_AQI_and_its_band(double concentration, int aqi, AqiBand band)
    {
        Assert.Equal(aqi, VnAqi.FromPm25(concentration));
        Assert.Equal(band, VnAqi.Band(VnAqi.FromPm25(concentration)));
    }

    [Fact]
    public void Rainfall_alert_is_judged_on_the_rain_of_the_last_24_hours()
    {
        var stats = new RollingStats();
        stats.Add(new Reading(Now.AddHours(-20), 30), Now);
        stats.Add(new Reading(Now.AddHours(-2), 25), Now);
        var measure = SensorRules.AlertMeasure(SensorKind.Rainfall, new Reading(Now.AddHours(-2), 25), stats.Snapshot(Now));
        Assert.Equal(55, measure);
        Assert.Equal(1, AlertBook.NextLevel(0, measure!.Value, SensorKind.Rainfall.Info().DefaultThresholds, 5));
    }

    [Theory]
    [InlineData(double.NaN, "value")]
    [InlineData(double.PositiveInfinity, "value")]
    [InlineData(-50.0, "value")]
    public void Readings_that_are_not_finite_or_plausible_are_rejected_naming_the_field(double value, string field) =>
        Assert.Equal(field, SensorRules.Check(SensorKind.WaterLevel, new Reading(Now, value), Now)?.Field);

    [Fact]
    public void Readings_more_than_five_minutes_in_the_future_are_rejected_but_four_minutes_is_clock_skew()
    {
        Assert.Equal("at", SensorRules.Check(SensorKind.Pm25, new Reading(Now.AddMinutes(6), 10), Now)?.Field);
        Assert.Null(SensorRules.Check(SensorKind.Pm25, new Reading(Now.AddMinutes(4), 10), Now));
    }

    [Fact]
    public void Provisioning_with_a_unit_that_does_not_fit_the_kind_names_the_unit()
    {
        var ex = Assert.Throws<HueValidationException>(() => SensorRules.Normalize(new SensorSpec(SensorKind.WaterLevel, "°C", "19774", 16.4, 107.5)));
        Assert.Contains("unit", ex.Errors.Keys);
    }

    [Fact]
    public void Provisioning_accepts_unit_spellings_and_fills_default_thresholds()
    {
        var spec = SensorRules.Normalize(new SensorSpec(SensorKind.Pm25, "ug/m3", "19753", 16.4, 107.5));
        Assert.Equal("µg/m³", spec.Unit);
        Assert.Equal([50, 80, 150], spec.Thresholds!);
    }

    [Theory]
    [InlineData("99999", "commune")]
    [InlineData("019774", "commune")]
    public void Provisioning_in_an_unknown_commune_is_refused(string commune, string field)
    {
        var ex = Assert.Throws<HueValidationException>(() => SensorRules.Normalize(new SensorSpec(SensorKind.WaterLevel, "m", commune, 16.4, 107.5)));
        Assert.Contains(field, ex.Errors.Keys);
    }

    [Fact]
    public void Thresholds_must_be_three_increasing_values()
    {
        var ex = Assert.Throws<HueValidationException>(() =>
            SensorRules.Normalize(new SensorSpec(SensorKind.WaterLevel, "m", "19774", 16.4, 107.5, [2, 1, 3])));
        Assert.Contains("thresholds", ex.Errors.Keys);
    }
}

public class KeysTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("0abc")]
    [InlineData("19774")]
    [InlineData("a1b2c3d4e5f60718a1b2c3d4e5f60718")]
    public void Sensor_grain_keys_are_never_read_as_integer_or_guid_keys(string deviceId)
    {
        var grainId = GrainId.Create("sensor", Keys.SensorKey(deviceId));
        Assert.False(grainId.TryGetIntegerKey(out _, out _));
        Assert.False(grainId.TryGetGuidKey(out _, out _));
        Assert.Equal(deviceId, Keys.SensorIdOf(Keys.SensorKey(deviceId)));
    }

    [Theory]
    [InlineData("UPPER")]
    [InlineData("a+b")]
    [InlineData("")]
    [InlineData("-lead")]
    public void Invalid_device_ids_never_become_keys(string deviceId) =>
        Assert.Throws<ArgumentException>(() => Keys.SensorKey(deviceId));
}
