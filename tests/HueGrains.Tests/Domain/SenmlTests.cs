using System.Text;
using HueGrains.Api.Ingest;

namespace HueGrains.Tests.Domain;

public class SenmlTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    private static async Task<List<SenmlReading>> Resolve(string json) =>
        Senml.Resolve(await Senml.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), CancellationToken.None), Now);

    [Fact]
    public async Task Base_name_time_and_unit_apply_to_the_records_that_follow()
    {
        // RFC 8428 §5.1.2 style: one device, absolute base time, relative offsets in each record.
        var readings = await Resolve("""
            [{"bn":"urn:dev:ow:10e2073a01080063:","bt":1.320067464e+09,"bu":"Cel","v":23.1},
             {"v":23.5,"t":60},
             {"v":24.0,"t":120}]
            """);
        Assert.All(readings, r => Assert.Equal("urn:dev:ow:10e2073a01080063", r.Sensor));
        Assert.All(readings, r => Assert.Equal("Cel", r.Unit));
        Assert.Equal([1320067464L, 1320067524L, 1320067584L], readings.Select(r => r.Reading.At.ToUnixTimeSeconds()));
        Assert.Equal([23.1, 23.5, 24.0], readings.Select(r => r.Reading.Value));
    }

    [Fact]
    public async Task Small_times_are_relative_to_now_base_values_add_and_names_without_base_name_are_devices()
    {
        var readings = await Resolve("""
            [{"bn":"gauge-7/","n":"level","bv":2.0,"u":"m","v":0.25,"t":-10},
             {"n":"level","v":0.5},
             {"bn":"","bv":0,"n":"air-3","u":"ug/m3","v":41}]
            """);
        Assert.Equal(["gauge-7", "gauge-7", "air-3"], readings.Select(r => r.Sensor));
        Assert.Equal([Now.AddSeconds(-10), Now, Now], readings.Select(r => r.Reading.At));
        Assert.Equal([2.25, 2.5, 41], readings.Select(r => r.Reading.Value));
        Assert.Equal(["m", null, "ug/m3"], readings.Select(r => r.Unit));
    }

    [Theory]
    [InlineData("""[{"bn":"Bad Name","v":1}]""", "[0].bn")]
    [InlineData("""[{"bn":"gauge-7","n":"state","vs":"on"}]""", "[0].v")]
    [InlineData("""[]""", "body")]
    [InlineData("""{"bn":"x"}""", "body")]
    [InlineData("""[{"bn":"x","v":"high"}]""", "[0].v")]
    public async Task Records_that_are_not_numeric_readings_of_a_device_are_refused_by_index(string json, string field)
    {
        var ex = await Assert.ThrowsAsync<HueValidationException>(() => Resolve(json));
        Assert.Contains(field, ex.Errors.Keys);
    }

    [Theory]
    [InlineData(SensorKind.WaterLevel, "cm", 230, 2.3)]
    [InlineData(SensorKind.Temperature, "degF", 77, 25)]
    [InlineData(SensorKind.Temperature, "K", 300.15, 27)]
    [InlineData(SensorKind.Pm25, "mg/m3", 0.035, 35)]
    [InlineData(SensorKind.Rainfall, "cm", 1.2, 12)]
    public void Common_unit_variants_convert_to_the_canonical_unit(SensorKind kind, string unit, double value, double expected) =>
        Assert.Equal(expected, SensorKinds.ToCanonical(kind, unit, value)!.Value, 9);

    [Fact]
    public void Units_that_do_not_fit_the_kind_do_not_convert() =>
        Assert.Null(SensorKinds.ToCanonical(SensorKind.WaterLevel, "°C", 1));
}
