using System.Text;
using System.Text.Json;
using HueGrains.Api;
using HueGrains.Api.Ingest;

namespace HueGrains.Tests.Domain;

public class ReadingsReaderTests
{
    private static bool Read(string json, out List<Reading> readings, out bool one) => ReadingsReader.TryRead(Encoding.UTF8.GetBytes(json), out readings, out one);

    [Fact]
    public void Reads_one_reading_and_a_batch_with_their_offsets()
    {
        Assert.True(Read("""{"at":"2025-07-01T08:00:00.123+07:00","value":1.5,"extra":{"x":[1]}}""", out var one, out var single));
        Assert.True(single);
        Assert.Equal(new Reading(new DateTimeOffset(2025, 7, 1, 8, 0, 0, 123, TimeSpan.FromHours(7)), 1.5), Assert.Single(one));

        Assert.True(Read("""{"readings":[{"at":"2025-07-01T01:00:00Z","value":2},{"value":-3e2,"at":"2025-07-01T01:00:01Z"}]}""", out var batch, out single));
        Assert.False(single);
        Assert.Equal([2, -300], batch.Select(r => r.Value));
        Assert.Equal(TimeSpan.Zero, batch[1].At.Offset);
    }

    [Theory]
    [InlineData("""{"at":"2025-07-01T01:00:00Z"}""")] // no value
    [InlineData("""{"at":"2025-07-01T01:00:00Z","value":"1.5"}""")] // a number as a string
    [InlineData("""{"At":"2025-07-01T01:00:00Z","value":1}""")] // another casing
    [InlineData("""{"at":"yesterday","value":1}""")]
    [InlineData("""{"at":"2025-07-01T01:00:00Z","value":1,"readings":[]}""")] // both forms
    [InlineData("""{"readings":[{"at":"2025-07-01T01:00:00Z","value":1},null]}""")]
    [InlineData("""{"readings":[{"at":"2025-07-01T01:00:00Z","value":1}""")] // cut short
    [InlineData("""{"at":"2025-07-01T01:00:00Z","value":1} {}""")] // something after the object
    [InlineData("""{"at":"2025-07-01T01:00:00Z","value":1,"value":2}""")]
    [InlineData("[]")]
    public void Leaves_anything_unusual_to_the_full_deserializer(string json) => Assert.False(Read(json, out _, out _));

    [Fact]
    public void Leaves_a_batch_past_the_limit_to_the_full_deserializer()
    {
        var item = """{"at":"2025-07-01T01:00:00Z","value":1}""";
        Assert.True(Read($$"""{"readings":[{{string.Join(',', Enumerable.Repeat(item, IngestLimits.MaxBatch))}}]}""", out var full, out _));
        Assert.Equal(IngestLimits.MaxBatch, full.Count);
        Assert.False(Read($$"""{"readings":[{{string.Join(',', Enumerable.Repeat(item, IngestLimits.MaxBatch + 1))}}]}""", out _, out _));
    }

    [Fact]
    public void The_lane_answer_is_the_serializer_answer()
    {
        var result = IngestResult.From([
            new ReadingOutcome(new DateTimeOffset(2025, 7, 1, 8, 0, 0, 5, TimeSpan.FromHours(7)), ReadingStatus.Accepted),
            new ReadingOutcome(DateTimeOffset.UnixEpoch, ReadingStatus.Duplicate),
            new ReadingOutcome(DateTimeOffset.UnixEpoch.AddTicks(1), ReadingStatus.Rejected, "value", "Out of \"range\" ≥ 5."),
        ]);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer)) IngestAnswer.Write(json, result);
        Assert.Equal(JsonSerializer.Serialize(result, HueJson.Options), Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
