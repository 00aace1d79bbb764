using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HueGrains.Tests.Http;

[Collection(ApiCollection.Name)]
public partial class OpenDataTests(ApiFixture api)
{
    private const string Commune = "19815";
    private const string ReporterName = "Đặng Thị Thu Hương";

    [GeneratedRegex(@"(?<!\d)\d{12}(?!\d)")]
    private static partial Regex NationalId();

    [GeneratedRegex(@"(?<!\d)(0|\+84)\d{9}(?!\d)")]
    private static partial Regex Phone();

    [GeneratedRegex("c-[0-9a-f]{16,}")]
    private static partial Regex CitizenId();

    private async Task<HttpClient> ReporterAsync()
    {
        var id = Keys.NewCitizenId();
        var me = api.As(Roles.Citizen, citizenId: id);
        var nationalId = Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.Created, (await me.PostJson("/api/v1/citizens",
            new { fullName = ReporterName, dateOfBirth = "1979-09-09", nationalId, phone = "0914555666", homeCommune = Commune })).StatusCode);
        return me;
    }

    [Fact]
    public async Task The_daily_feedback_counts_match_the_reports_withhold_small_counts_and_hold_no_personal_data()
    {
        var me = await ReporterAsync();
        for (var i = 0; i < 6; i++)
            await me.PostJson("/api/v1/feedback", new { category = "environment-sanitation", description = $"Rác ở hẻm {i}, gọi 0914555666", commune = Commune });
        for (var i = 0; i < 2; i++)
            await me.PostJson("/api/v1/feedback", new { category = "public-services", description = $"Chờ lâu ở bộ phận một cửa {i}", commune = Commune });

        // The entities: every commune's reports submitted today (Huế time), counted per commune and category.
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).DateTime);
        var leader = api.As(Roles.Leader);
        async Task<Dictionary<(string, string), int>> EntitiesAsync()
        {
            var counts = new Dictionary<(string, string), int>();
            foreach (var c in CityMap.Communes)
            {
                foreach (var r in (await (await leader.GetAsync($"/api/v1/communes/{c.Code}/feedback?limit=1000")).Json()).GetProperty("items").EnumerateArray())
                {
                    var day = DateOnly.FromDateTime(r.GetProperty("submittedAt").GetDateTimeOffset().ToOffset(TimeSpan.FromHours(7)).DateTime);
                    if (day != today) continue;
                    var key = (c.Code, r.GetProperty("category").GetString()!);
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
            return counts;
        }
        var entities = await Eventually.Holds(EntitiesAsync,
            e => e.GetValueOrDefault((Commune, "environment-sanitation")) >= 6 && e.GetValueOrDefault((Commune, "public-services")) >= 2);

        var response = await api.Anonymous.GetAsync($"/opendata/feedback-daily.csv?date={today:yyyy-MM-dd}");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var csv = await response.Content.ReadAsStringAsync();
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("date,commune,name,category,category_name,reports", lines[0]);
        var published = lines.Skip(1).Select(CsvFields).ToDictionary(f => (f[1], f[3]), f => f[5]);
        Assert.Equal(entities.Keys.Order(), published.Keys.Order());
        foreach (var (key, count) in entities)
            Assert.Equal(Disclosure.Count(count)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", published[key]); // 1–4 withheld, else to 5
        Assert.Equal("", published[(Commune, "public-services")]); // 2 reports: withheld

        foreach (var format in new[] { "csv", "json" })
        {
            foreach (var dataset in new[] { "feedback-daily", "cases-daily", "indicators-daily", "sensor-hourly" })
            {
                var text = await api.Anonymous.GetStringAsync($"/opendata/{dataset}.{format}?date={today:yyyy-MM-dd}");
                Assert.DoesNotMatch(NationalId(), text);
                Assert.DoesNotMatch(Phone(), text);
                Assert.DoesNotContain(ReporterName, text, StringComparison.Ordinal);
                Assert.DoesNotMatch(CitizenId(), text);
                Assert.DoesNotContain("Rác ở hẻm", text, StringComparison.Ordinal); // no free text
            }
        }
        var json = JsonDocument.Parse(await api.Anonymous.GetStringAsync($"/opendata/feedback-daily.json?date={today:yyyy-MM-dd}")).RootElement;
        Assert.Contains(json.EnumerateArray(), r => r.GetProperty("commune").GetString() == Commune
            && r.GetProperty("category").GetString() == "public-services" && r.GetProperty("reports").ValueKind == JsonValueKind.Null);
    }

    /// <summary>The fields of one RFC 4180 line (quoted fields may hold commas and doubled quotes).</summary>
    private static List<string> CsvFields(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }

    [Fact]
    public async Task The_catalogue_lists_each_dataset_with_licence_date_and_downloads()
    {
        var response = await api.Anonymous.GetAsync("/opendata/");
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
        var catalogue = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("dcat:Catalog", catalogue.GetProperty("@type").GetString());
        var datasets = catalogue.GetProperty("dcat:dataset").EnumerateArray().ToList();
        Assert.Equal(["sensor-hourly", "indicators-daily", "feedback-daily", "cases-daily"], datasets.Select(d => d.GetProperty("dct:identifier").GetString()!).ToArray());
        foreach (var dataset in datasets)
        {
            Assert.StartsWith("https://creativecommons.org/licenses/by/4.0", dataset.GetProperty("dct:license").GetProperty("@id").GetString(), StringComparison.Ordinal);
            Assert.True(DateTimeOffset.TryParse(dataset.GetProperty("dct:modified").GetProperty("@value").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
            foreach (var distribution in dataset.GetProperty("dcat:distribution").EnumerateArray())
            {
                var url = new Uri(distribution.GetProperty("dcat:downloadURL").GetProperty("@id").GetString()!);
                Assert.Equal(HttpStatusCode.OK, (await api.Anonymous.GetAsync(url.PathAndQuery)).StatusCode);
            }
        }
        Assert.Equal(HttpStatusCode.NotFound, (await api.Anonymous.GetAsync("/opendata/citizens.csv")).StatusCode);
        await SensorApiTests.AssertProblem(await api.Anonymous.GetAsync("/opendata/cases-daily.csv?from=2026-01-01&to=2026-03-01"), HttpStatusCode.BadRequest, "from");
    }
}
