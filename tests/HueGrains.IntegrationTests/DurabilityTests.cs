using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HueGrains.Testing;
using Xunit.Abstractions;

namespace HueGrains.IntegrationTests;

/// <summary>Everything acknowledged survives a full restart and a PostgreSQL restart.</summary>
[Collection(PostgresCollection.Name)]
public class DurabilityTests(PostgresServer postgres, ITestOutputHelper output)
{
    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string Without(JsonElement element, params string[] names) =>
        JsonSerializer.Serialize(element.EnumerateObject().Where(p => !names.Contains(p.Name)).ToDictionary(p => p.Name, p => p.Value));

    [Fact]
    public async Task After_a_full_restart_state_history_and_indicators_are_as_before()
    {
        var db = await postgres.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?> { ["Hue:Orleans:ClusterId"] = $"r{Guid.NewGuid():N}" };
        const string Commune = "19804";
        var citizenId = Keys.NewCitizenId();
        string caseId, reportId;
        var before = new Dictionary<string, string>();

        await using (var platform = await DurablePlatform.StartAsync(db, settings))
        {
            var op = platform.Client(Roles.Operator);
            foreach (var (id, kind, unit) in new[] { ("rs-water", "water-level", "m"), ("rs-air", "pm25", "µg/m³") })
                await Json(await op.PutAsJsonAsync($"/api/v1/sensors/{id}", new { kind, unit, commune = Commune, latitude = 16.45, longitude = 107.56 }));
            var now = DateTimeOffset.UtcNow;
            var minute = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
            await Json(await op.PostAsJsonAsync("/api/v1/sensors/rs-water/readings",
                new { readings = Enumerable.Range(0, 50).Select(i => new { at = minute.AddMinutes(-i), value = 1.0 + i / 20.0 }).ToArray() }));
            await Json(await op.PostAsJsonAsync("/api/v1/sensors/rs-air/readings", new { at = minute, value = 95.0 }));

            var citizen = platform.Client(Roles.Citizen, citizenId: citizenId);
            await Json(await citizen.PostAsJsonAsync("/api/v1/citizens",
                new { fullName = "Hồ Thị Hoa", dateOfBirth = "1985-01-20", nationalId = "046185000777", phone = "0905777888", homeCommune = Commune }));
            caseId = (await Json(await citizen.PostAsJsonAsync("/api/v1/cases",
                new { procedure = "certified-copy", form = new { documentName = "Học bạ", copies = "3" } }))).GetProperty("id").GetString()!;
            var official = platform.Client(Roles.Official, Commune);
            await Json(await official.PostAsJsonAsync($"/api/v1/cases/{caseId}/status", new { status = "processing" }));
            reportId = (await Json(await citizen.PostAsJsonAsync("/api/v1/feedback",
                new { category = "urban-order", description = "Lấn chiếm vỉa hè", commune = Commune }))).GetProperty("id").GetString()!;
            await Json(await official.PostAsJsonAsync($"/api/v1/feedback/{reportId}/status", new { status = "resolved", answer = "Đã xử lý" }));
            await Json(await citizen.PostAsJsonAsync($"/api/v1/feedback/{reportId}/rating", new { rating = 4 }));

            var leader = platform.Client(Roles.Leader); // exact counts: the public sees them as Disclosure publishes them
            for (var i = 0; i < 100; i++)
            {
                var indicators = (await Json(await leader.GetAsync("/api/v1/city"))).GetProperty("communes").EnumerateArray()
                    .Single(c => c.GetProperty("code").GetString() == Commune).GetProperty("indicators");
                if (indicators.GetProperty("openCases").GetInt32() == 1 && indicators.GetProperty("ratedFeedback").GetInt32() == 1
                    && indicators.GetProperty("sensorsReporting").GetInt32() == 2) break;
                await Task.Delay(50);
            }
            before = await ObserveAsync(platform, citizenId, caseId, reportId, Commune);
        }

        await using (var platform = await DurablePlatform.StartAsync(db, settings))
        {
            var after = await ObserveAsync(platform, citizenId, caseId, reportId, Commune);
            foreach (var (what, value) in before)
            {
                output.WriteLine($"{what}: {value}");
                Assert.True(value == after[what], $"{what} differs after restart:\nbefore {value}\nafter  {after[what]}");
            }
        }
    }

    private static async Task<Dictionary<string, string>> ObserveAsync(DurablePlatform platform, string citizenId, string caseId, string reportId, string commune)
    {
        var anonymous = platform.Client();
        var official = platform.Client(Roles.Official, commune);
        var water = await Json(await anonymous.GetAsync("/api/v1/sensors/rs-water"));
        var city = await Json(await anonymous.GetAsync("/api/v1/city"));
        return new()
        {
            ["sensor"] = Without(water, "statistics", "lastSeen"),
            ["sensor hour"] = water.GetProperty("statistics").GetProperty("lastHour").GetRawText(),
            ["air"] = Without(await Json(await anonymous.GetAsync("/api/v1/sensors/rs-air")), "statistics", "lastSeen"),
            ["history"] = (await Json(await anonymous.GetAsync("/api/v1/sensors/rs-water/readings?bucket=1h"))).GetProperty("buckets").GetRawText(),
            ["raw"] = (await Json(await anonymous.GetAsync("/api/v1/sensors/rs-water/readings?limit=10000"))).GetProperty("readings").GetRawText(),
            ["citizen"] = (await Json(await platform.Client(Roles.Citizen, citizenId: citizenId).GetAsync($"/api/v1/citizens/{citizenId}"))).GetRawText(),
            ["case"] = (await Json(await official.GetAsync($"/api/v1/cases/{caseId}"))).GetRawText(),
            ["feedback"] = (await Json(await anonymous.GetAsync($"/api/v1/feedback/{reportId}"))).GetRawText(),
            ["commune"] = (await Json(await anonymous.GetAsync($"/api/v1/communes/{commune}"))).GetProperty("indicators").GetRawText(),
            ["city"] = city.GetProperty("indicators").GetRawText(),
            ["city commune"] = city.GetProperty("communes").EnumerateArray().Single(c => c.GetProperty("code").GetString() == commune).GetProperty("indicators").GetRawText(),
        };
    }

    [Fact]
    public async Task A_PostgreSQL_restart_under_ingest_answers_503_and_loses_no_acknowledged_reading()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var platform = await DurablePlatform.StartAsync(db);
        var op = platform.Client(Roles.Operator);
        var sensors = Enumerable.Range(0, 16).Select(i => $"pg-{i:D2}").ToList();
        foreach (var sensor in sensors)
            await Json(await op.PutAsJsonAsync($"/api/v1/sensors/{sensor}", new { kind = "rainfall", unit = "mm", commune = "19753", latitude = 16.46, longitude = 107.59 }));

        var load = new IngestLoad(() =>
        {
            var client = platform.Client(Roles.Operator);
            client.Timeout = TimeSpan.FromSeconds(20);
            return client;
        }, sensors, workers: 4);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var downAt = load.Elapsed;
        await postgres.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await postgres.StartAsync();
        var upAt = load.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(6));
        stop.Cancel();
        await running;

        var stored = (await ProviderTests.ScalarsAsync(db, "SELECT sensor_id || '|' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') FROM hue_readings")).ToHashSet();
        var missing = load.Acked.Count(x => !stored.Contains($"{x.Sensor}|{x.At.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff}"));
        var statuses = string.Join(", ", load.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        output.WriteLine($"down {downAt:F1}-{upAt:F1} s; acked {load.Acked.Count}, missing {missing}; answers {statuses}; "
            + $"back to 95% of the rate {load.SecondsToRecover(upAt, 0.95):F1} s after PostgreSQL was up");

        Assert.Equal(0, missing);
        Assert.True(load.Statuses.GetValueOrDefault((int)HttpStatusCode.ServiceUnavailable) > 0, $"no 503 while PostgreSQL was down: {statuses}");
        Assert.Equal([(int)HttpStatusCode.Accepted, (int)HttpStatusCode.ServiceUnavailable], load.Statuses.Keys.Order());
        Assert.True(load.AckedBetween(upAt + 3, upAt + 6) > 0, "ingest did not recover");
    }
}
