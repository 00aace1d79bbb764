using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace HueGrains.Tests.Http;

[Collection(ApiCollection.Name)]
public class CitizenServicesApiTests(ApiFixture api)
{
    private static string NationalId() =>
        Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);


    private async Task<(string Id, HttpClient Client)> RegisterAsync(string home = "19753")
    {
        var id = Keys.NewCitizenId();
        var client = api.As(Roles.Citizen, citizenId: id);
        var response = await client.PostJson("/api/v1/citizens",
            new { fullName = "Trần Thị Bình", dateOfBirth = "1988-03-02", nationalId = NationalId(), phone = "0914 123 456", homeCommune = home });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(id, (await response.Json()).GetProperty("id").GetString());
        return (id, client);
    }

    [Fact]
    public async Task A_citizen_registers_once_and_sees_only_their_own_profile()
    {
        var (id, me) = await RegisterAsync();
        var profile = await (await me.GetAsync($"/api/v1/citizens/{id}")).Json();
        Assert.Equal("0914123456", profile.GetProperty("profile").GetProperty("phone").GetString());

        var again = await me.PostJson("/api/v1/citizens",
            new { fullName = "Trần Thị Bình", dateOfBirth = "1988-03-02", nationalId = NationalId(), phone = "0914123456", homeCommune = "19753" });
        await SensorApiTests.AssertProblem(again, HttpStatusCode.Conflict, null);

        var (_, someoneElse) = await RegisterAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await someoneElse.GetAsync($"/api/v1/citizens/{id}")).StatusCode);
        // Without the citizen's consent, not even an official of the home commune opens the profile outside a dossier.
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Official, "19753").GetAsync($"/api/v1/citizens/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await me.PutAsJsonAsync($"/api/v1/citizens/{id}/consents", new { officialsMayViewProfile = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.As(Roles.Official, "19753").GetAsync($"/api/v1/citizens/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Official, "19774").GetAsync($"/api/v1/citizens/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Leader).GetAsync($"/api/v1/citizens/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Anonymous.GetAsync($"/api/v1/citizens/{id}")).StatusCode);
    }

    [Fact]
    public async Task The_same_national_ID_cannot_be_registered_twice()
    {
        var nationalId = NationalId();
        var body = new { fullName = "Lê Văn Cường", dateOfBirth = "1975-12-30", nationalId, phone = "+84905111222", homeCommune = "19774" };
        Assert.Equal(HttpStatusCode.Created, (await api.As(Roles.Official, "19774").PostJson("/api/v1/citizens", body)).StatusCode);
        var twin = await api.As(Roles.Citizen, citizenId: Keys.NewCitizenId()).PostJson("/api/v1/citizens", body);
        await SensorApiTests.AssertProblem(twin, HttpStatusCode.Conflict, null);
    }

    [Theory]
    [InlineData("""{"fullName":"A","dateOfBirth":"1990-01-01","nationalId":"12345678901","phone":"0905123456","homeCommune":"19753"}""", "nationalId")]
    [InlineData("""{"fullName":"A","dateOfBirth":"1990-01-01","nationalId":"1234567890AB","phone":"0905123456","homeCommune":"19753"}""", "nationalId")]
    [InlineData("""{"fullName":"A","dateOfBirth":"1990-01-01","nationalId":"123456789012","phone":"12","homeCommune":"19753"}""", "phone")]
    [InlineData("""{"fullName":"A","dateOfBirth":"2990-01-01","nationalId":"123456789012","phone":"0905123456","homeCommune":"19753"}""", "dateOfBirth")]
    [InlineData("""{"fullName":"A","dateOfBirth":"01/01/1990","nationalId":"123456789012","phone":"0905123456","homeCommune":"19753"}""", "dateOfBirth")]
    [InlineData("""{"fullName":"A","dateOfBirth":"1990-01-01","nationalId":"123456789012","phone":"0905123456","homeCommune":"1"}""", "homeCommune")]
    [InlineData("""{"fullName":"","dateOfBirth":"1990-01-01","nationalId":"123456789012","phone":"0905123456","homeCommune":"19753"}""", "fullName")]
    public async Task Bad_profiles_get_400_naming_the_field_and_register_nothing(string json, string field)
    {
        var id = Keys.NewCitizenId();
        var me = api.As(Roles.Citizen, citizenId: id);
        await SensorApiTests.AssertProblem(await me.PostRaw("/api/v1/citizens", json), HttpStatusCode.BadRequest, field);
        Assert.Equal(HttpStatusCode.NotFound, (await me.GetAsync($"/api/v1/citizens/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_case_is_prefilled_from_the_profile_and_handled_only_by_its_commune()
    {
        var (citizenId, me) = await RegisterAsync("19753");
        var filed = await me.PostJson("/api/v1/cases",
            new { procedure = "temporary-residence", form = new { address = "5 Lê Lợi, Phú Xuân", stayUntil = "2027-06-30" } });
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var dossier = await filed.Json();
        var id = dossier.GetProperty("id").GetString()!;
        Assert.Equal("Trần Thị Bình", dossier.GetProperty("form").GetProperty("fullName").GetString());
        Assert.Equal("received", dossier.GetProperty("status").GetString());
        Assert.Equal(filed.Headers.Location?.ToString(), $"/api/v1/cases/{id}");

        var official = api.As(Roles.Official, "19753");
        var stranger = api.As(Roles.Official, "19774");
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync($"/api/v1/cases/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostJson($"/api/v1/cases/{id}/status", new { status = "processing" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await me.PostJson($"/api/v1/cases/{id}/status", new { status = "processing" })).StatusCode);
        var (_, otherCitizen) = await RegisterAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await otherCitizen.GetAsync($"/api/v1/cases/{id}")).StatusCode);

        await SensorApiTests.AssertProblem(await official.PostJson($"/api/v1/cases/{id}/status", new { status = "returned" }), HttpStatusCode.Conflict, null);
        await SensorApiTests.AssertProblem(await official.PostRaw($"/api/v1/cases/{id}/status", """{"status":"teleported"}"""), HttpStatusCode.BadRequest, "status");
        Assert.Equal("received", (await (await me.GetAsync($"/api/v1/cases/{id}")).Json()).GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.OK, (await official.PostJson($"/api/v1/cases/{id}/status", new { status = "processing", note = "Đang xử lý" })).StatusCode);
        var done = await (await official.PostJson($"/api/v1/cases/{id}/status", new { status = "refused", note = "Thiếu giấy tờ" })).Json();
        Assert.Equal("refused", done.GetProperty("status").GetString());
        Assert.Equal(3, done.GetProperty("history").GetArrayLength());
        Assert.Contains(done.GetProperty("timeliness").GetString(), new[] { "early", "on-time" });

        await Eventually.Holds(async () => await (await api.As(Roles.Leader).GetAsync("/api/v1/communes/19753")).Json(),
            c => c.GetProperty("indicators").GetProperty("onTimeRate").ValueKind == JsonValueKind.Number);
        Assert.Contains(citizenId, (await (await me.GetAsync($"/api/v1/citizens/{citizenId}")).Json()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_case_asks_only_what_the_profile_does_not_hold()
    {
        var (_, me) = await RegisterAsync();
        var missing = await me.PostJson("/api/v1/cases", new { procedure = "birth-registration", form = new { childFullName = "Bé Na" } });
        await SensorApiTests.AssertProblem(missing, HttpStatusCode.BadRequest, "form.childDateOfBirth");
        var askedAgain = await me.PostJson("/api/v1/cases", new { procedure = "certified-copy", form = new { documentName = "Bằng", copies = "2", nationalId = "123456789012" } });
        await SensorApiTests.AssertProblem(askedAgain, HttpStatusCode.BadRequest, "form.nationalId");
        await SensorApiTests.AssertProblem(await me.PostJson("/api/v1/cases", new { procedure = "time-travel" }), HttpStatusCode.BadRequest, "procedure");
        var forSomeoneElse = await me.PostJson("/api/v1/cases", new { procedure = "certified-copy", citizenId = Keys.NewCitizenId(), form = new { documentName = "Bằng", copies = "1" } });
        Assert.Equal(HttpStatusCode.Forbidden, forSomeoneElse.StatusCode);
    }

    [Fact]
    public async Task A_report_is_public_without_its_reporter_and_is_answered_then_rated()
    {
        var (citizenId, me) = await RegisterAsync("19774");
        var created = await me.PostJson("/api/v1/feedback",
            new { category = "traffic-infrastructure", description = "Ổ gà lớn trước chợ", commune = "19774", latitude = 16.46, longitude = 107.55 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Json()).GetProperty("id").GetString()!;

        var publicView = await api.Anonymous.GetStringAsync($"/api/v1/feedback/{id}");
        Assert.DoesNotContain(citizenId, publicView, StringComparison.Ordinal);
        Assert.DoesNotContain("Trần Thị Bình", publicView, StringComparison.Ordinal);

        var official = api.As(Roles.Official, "19774");
        await SensorApiTests.AssertProblem(await official.PostJson($"/api/v1/feedback/{id}/status", new { status = "resolved" }), HttpStatusCode.BadRequest, "answer");
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Official, "19753").PostJson($"/api/v1/feedback/{id}/status", new { status = "assigned" })).StatusCode);
        await SensorApiTests.AssertProblem(await me.PostJson($"/api/v1/feedback/{id}/rating", new { rating = 5 }), HttpStatusCode.Conflict, null);

        Assert.Equal(HttpStatusCode.OK, (await official.PostJson($"/api/v1/feedback/{id}/status", new { status = "resolved", answer = "Đã vá đường" })).StatusCode);
        await SensorApiTests.AssertProblem(await me.PostJson($"/api/v1/feedback/{id}/rating", new { rating = 9 }), HttpStatusCode.BadRequest, "rating");
        var (_, other) = await RegisterAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await other.PostJson($"/api/v1/feedback/{id}/rating", new { rating = 1 })).StatusCode);
        var closed = await (await me.PostJson($"/api/v1/feedback/{id}/rating", new { rating = 4 })).Json();
        Assert.Equal("closed", closed.GetProperty("status").GetString());

        var bad = await me.PostJson("/api/v1/feedback", new { category = "gossip", description = "x", commune = "19774" });
        await SensorApiTests.AssertProblem(bad, HttpStatusCode.BadRequest, "category");
        await SensorApiTests.AssertProblem(await me.PostJson("/api/v1/feedback", new { category = "other", description = "x", commune = "00001" }), HttpStatusCode.BadRequest, "commune");
        await SensorApiTests.AssertProblem(await me.PostJson("/api/v1/feedback", new { category = "other", description = "x" }), HttpStatusCode.BadRequest, "commune");
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Operator).PostJson("/api/v1/feedback", new { category = "other", description = "x", commune = "19774" })).StatusCode);
    }

    [Fact]
    public async Task A_citizen_pages_their_own_dossiers_and_reports_from_the_projections_and_nobody_else_does()
    {
        var (citizenId, me) = await RegisterAsync("19753");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var filed = await me.PostJson("/api/v1/cases", new { procedure = "certified-copy", form = new { documentName = $"Bằng {i}", copies = "1" } });
            ids.Add((await filed.Json()).GetProperty("id").GetString()!);
        }
        var report = await (await me.PostJson("/api/v1/feedback", new { category = "other", description = "Cống tắc", commune = "19753" })).Json();

        var first = await (await me.GetAsync($"/api/v1/citizens/{citizenId}/cases?limit=2")).Json();
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await (await me.GetAsync($"/api/v1/citizens/{citizenId}/cases?limit=2&cursor={cursor}")).Json();
        var listed = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(c => c.GetProperty("id").GetString());
        Assert.Equal(Enumerable.Reverse(ids), listed);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        var reports = await (await me.GetAsync($"/api/v1/citizens/{citizenId}/feedback")).Json();
        Assert.Equal(report.GetProperty("id").GetString(), reports.GetProperty("items")[0].GetProperty("id").GetString());

        var (_, someoneElse) = await RegisterAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await someoneElse.GetAsync($"/api/v1/citizens/{citizenId}/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Official, "19753").GetAsync($"/api/v1/citizens/{citizenId}/feedback")).StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/communes/19753/cases?cursor=not-a-cursor", "cursor")]
    [InlineData("/api/v1/communes/19753/cases?cursor=eA", "cursor")]
    [InlineData("/api/v1/communes/19753/cases?status=lost", "status")]
    [InlineData("/api/v1/communes/19753/cases?limit=0", "limit")]
    [InlineData("/api/v1/communes/19753/feedback?category=weather", "category")]
    [InlineData("/api/v1/communes/19753/feedback?limit=1001", "limit")]
    public async Task Work_lists_answer_a_malformed_cursor_or_an_unknown_filter_with_a_problem(string path, string field) =>
        await SensorApiTests.AssertProblem(await api.As(Roles.Leader).GetAsync(path), HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task Paging_past_the_end_of_a_work_list_gives_an_empty_page()
    {
        var (_, me) = await RegisterAsync("19753");
        await me.PostJson("/api/v1/cases", new { procedure = "certified-copy", form = new { documentName = "Sổ", copies = "1" } });
        var leader = api.As(Roles.Leader);
        var cursor = (await (await leader.GetAsync("/api/v1/communes/19753/cases?limit=1")).Json()).GetProperty("nextCursor").GetString();
        string? last = null;
        while (cursor is not null)
        {
            last = cursor;
            cursor = (await (await leader.GetAsync($"/api/v1/communes/19753/cases?limit=1000&cursor={cursor}")).Json()).GetProperty("nextCursor").GetString();
        }
        var beyond = await (await leader.GetAsync("/api/v1/communes/19753/cases?cursor=" + Convert.ToBase64String("1|hs-0"u8.ToArray()).TrimEnd('='))).Json();
        Assert.Empty(beyond.GetProperty("items").EnumerateArray());
        Assert.NotNull(last);
        Assert.Equal(HttpStatusCode.NotFound, (await leader.GetAsync("/api/v1/communes/99999/cases")).StatusCode);
    }

    [Fact]
    public async Task One_citizen_cannot_flood_reports_or_dossiers_beyond_the_hourly_quota()
    {
        var (_, me) = await RegisterAsync("19753");
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 31; i++) answers.Add(await me.PostJson("/api/v1/feedback", new { category = "other", description = $"Rác {i}", commune = "19753" }));
        Assert.All(answers.Take(30), a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        await SensorApiTests.AssertProblem(answers[30], (HttpStatusCode)429, null);
        Assert.True(int.Parse(answers[30].Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) > 0);

        for (var i = 0; i < 30; i++)
            Assert.Equal(HttpStatusCode.Created, (await me.PostJson("/api/v1/cases", new { procedure = "certified-copy", form = new { documentName = $"Bằng {i}", copies = "1" } })).StatusCode);
        await SensorApiTests.AssertProblem(await me.PostJson("/api/v1/cases", new { procedure = "certified-copy", form = new { documentName = "Thêm", copies = "1" } }),
            (HttpStatusCode)429, null);
        var (_, someoneElse) = await RegisterAsync("19753"); // a quota per citizen, not per commune
        Assert.Equal(HttpStatusCode.Created, (await someoneElse.PostJson("/api/v1/feedback", new { category = "other", description = "Rác", commune = "19753" })).StatusCode);
    }
}
