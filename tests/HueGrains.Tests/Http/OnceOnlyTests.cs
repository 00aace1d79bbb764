using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace HueGrains.Tests.Http;

/// <summary>Data given once: procedures reuse the profile, profiles keep their versions, and every read by others is audited.</summary>
[Collection(ApiCollection.Name)]
public class OnceOnlyTests(ApiFixture api)
{
    private const string Home = "19777";
    private const string Elsewhere = "19753";

    private async Task<(string Id, HttpClient Me)> RegisterAsync(object? consents = null)
    {
        var id = Keys.NewCitizenId();
        var me = api.As(Roles.Citizen, citizenId: id);
        var nationalId = Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var response = await me.PostJson("/api/v1/citizens",
            new { fullName = "Hồ Thị Mai", dateOfBirth = "1985-04-12", nationalId, phone = "0935 246 810", homeCommune = Home, consents });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (id, me);
    }

    private static async Task<JsonElement> FileAsync(HttpClient client, object body)
    {
        var response = await client.PostJson("/api/v1/cases", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Json();
    }

    [Fact]
    public async Task A_citizen_registered_once_files_three_procedures_giving_only_what_is_not_on_file()
    {
        var (id, me) = await RegisterAsync();
        var preview = await (await me.GetAsync($"/api/v1/citizens/{id}/forms/marital-status-certificate")).Json();
        Assert.Equal("Hồ Thị Mai", preview.GetProperty("onFile").GetProperty("fullName").GetString());
        Assert.Equal(["purpose"], preview.GetProperty("missing").EnumerateArray().Select(e => e.GetString()!).ToArray());

        var forms = new (string Procedure, object Form)[]
        {
            ("marital-status-certificate", new { purpose = "Kết hôn" }),
            ("business-household", new { businessName = "Quán cơm Mai", businessAddress = "12 Trần Hưng Đạo", businessLine = "Ăn uống" }),
            ("certified-copy", new { documentName = "Bằng tốt nghiệp", copies = "3" }),
        };
        foreach (var (procedure, form) in forms)
        {
            var dossier = await FileAsync(me, new { procedure, form });
            var filled = dossier.GetProperty("form");
            Assert.Equal("Hồ Thị Mai", filled.GetProperty("fullName").GetString());
            var catalogue = ProcedureCatalog.Find(procedure)!;
            foreach (var field in catalogue.ProfileFields) Assert.False(string.IsNullOrEmpty(filled.GetProperty(field).GetString()), field);
            Assert.Equal(catalogue.ProfileFields.Count + catalogue.ExtraFields.Count, filled.EnumerateObject().Count());
            Assert.Equal(Home, dossier.GetProperty("commune").GetString());
        }
        var profile = await (await me.GetAsync($"/api/v1/citizens/{id}")).Json();
        Assert.Equal(3, profile.GetProperty("cases").GetArrayLength());
    }

    [Fact]
    public async Task A_profile_change_keeps_versions_and_later_dossiers_use_the_new_data()
    {
        var (id, me) = await RegisterAsync();
        var before = await FileAsync(me, new { procedure = "temporary-residence", form = new { address = "1 Lê Lợi", stayUntil = "2027-01-31" } });

        var changed = await me.PatchAsJsonAsync($"/api/v1/citizens/{id}", new { phone = "0977000111" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(2, (await changed.Json()).GetProperty("version").GetInt32());
        await SensorApiTests.AssertProblem(await me.PatchAsJsonAsync($"/api/v1/citizens/{id}", new { nationalId = "111122223333" }), HttpStatusCode.BadRequest, "nationalId");
        await SensorApiTests.AssertProblem(await me.PatchAsJsonAsync($"/api/v1/citizens/{id}", new { phone = "12" }), HttpStatusCode.BadRequest, "phone");

        var versions = (await (await me.GetAsync($"/api/v1/citizens/{id}/versions")).Json()).EnumerateArray().ToList();
        Assert.Equal(["0935246810", "0977000111"], versions.Select(v => v.GetProperty("profile").GetProperty("phone").GetString()!).ToArray());

        var after = await FileAsync(me, new { procedure = "temporary-residence", form = new { address = "2 Lê Lợi", stayUntil = "2027-02-28" } });
        Assert.Equal("0977000111", after.GetProperty("form").GetProperty("phone").GetString());
        var old = await (await me.GetAsync($"/api/v1/cases/{before.GetProperty("id").GetString()}")).Json();
        Assert.Equal("0935246810", old.GetProperty("form").GetProperty("phone").GetString()); // a filed dossier keeps what was filed

        var (_, other) = await RegisterAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await other.PatchAsJsonAsync($"/api/v1/citizens/{id}", new { phone = "0900000000" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync($"/api/v1/citizens/{id}/versions")).StatusCode);
    }

    [Fact]
    public async Task Without_consent_to_reuse_a_procedure_asks_for_the_profile_fields()
    {
        var (id, me) = await RegisterAsync(new { reuseForProcedures = false });
        var preview = await (await me.GetAsync($"/api/v1/citizens/{id}/forms/certified-copy")).Json();
        Assert.Contains("fullName", preview.GetProperty("missing").EnumerateArray().Select(e => e.GetString()));
        await SensorApiTests.AssertProblem(await me.PostJson("/api/v1/cases", new { procedure = "certified-copy", form = new { documentName = "Bằng", copies = "1" } }),
            HttpStatusCode.BadRequest, "form.fullName");
        var typed = await FileAsync(me, new { procedure = "certified-copy", form = new { documentName = "Bằng", copies = "1", fullName = "Hồ T. Mai", nationalId = "123456789012" } });
        Assert.Equal("Hồ T. Mai", typed.GetProperty("form").GetProperty("fullName").GetString());
    }

    [Fact]
    public async Task Every_read_of_personal_data_by_someone_else_is_in_the_citizens_audit()
    {
        var (id, me) = await RegisterAsync();
        var dossier = await FileAsync(me, new { procedure = "certified-copy", form = new { documentName = "Học bạ", copies = "1" } });
        var caseId = dossier.GetProperty("id").GetString()!;
        Assert.Empty(await AuditAsync(me, id)); // own reads are not logged

        var official = api.As(Roles.Official, Home);
        Assert.Equal(HttpStatusCode.OK, (await official.GetAsync($"/api/v1/cases/{caseId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await official.GetAsync($"/api/v1/cases/{caseId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await official.GetAsync($"/api/v1/citizens/{id}")).StatusCode); // no consent: refused, not read
        var counter = api.As(Roles.Official, Elsewhere); // any commune's counter files on the citizen's behalf
        var code = (await (await me.PostAsync($"/api/v1/citizens/{id}/counter-codes", null)).Json()).GetProperty("code").GetString();
        var atCounter = await FileAsync(counter, new { procedure = "certified-copy", citizenId = id, counterCode = code, form = new { documentName = "Giấy khai sinh", copies = "2" } });
        Assert.Equal(HttpStatusCode.Forbidden, (await counter.GetAsync($"/api/v1/cases/{caseId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await me.PutAsJsonAsync($"/api/v1/citizens/{id}/consents", new { officialsMayViewProfile = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await official.GetAsync($"/api/v1/citizens/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await official.PostJson($"/api/v1/cases/{caseId}/status", new { status = "processing" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await official.PatchAsJsonAsync($"/api/v1/citizens/{id}", new { phone = "0911222333" })).StatusCode);

        var audit = await AuditAsync(me, id);
        Assert.Equal(6, audit.Count);
        Assert.All(audit, a =>
        {
            Assert.Equal("official", a.GetProperty("readerRole").GetString());
            Assert.StartsWith("official-", a.GetProperty("readerAccount").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.String, a.GetProperty("at").ValueKind);
        });
        Assert.Equal(["profile-update", "case-handling", "profile", "case-filing", "case-handling", "case-handling"],
            audit.Select(a => a.GetProperty("purpose").GetString()!).ToArray());
        Assert.Equal(caseId, audit[1].GetProperty("caseId").GetString()); // moving the dossier along shows its form
        Assert.Equal(atCounter.GetProperty("id").GetString(), audit[3].GetProperty("caseId").GetString());
        Assert.Equal(Elsewhere, audit[3].GetProperty("readerCommune").GetString());
        Assert.Equal(caseId, audit[4].GetProperty("caseId").GetString());

        var (_, other) = await RegisterAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync($"/api/v1/citizens/{id}/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await official.GetAsync($"/api/v1/citizens/{id}/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync($"/api/v1/cases/{caseId}")).StatusCode);
        Assert.Equal(6, (await AuditAsync(me, id)).Count); // refusals read nothing

        // Paged newest first with the cursor contract; every entry kept.
        var first = await (await me.GetAsync($"/api/v1/citizens/{id}/audit?limit=4")).Json();
        var rest = await (await me.GetAsync($"/api/v1/citizens/{id}/audit?limit=4&cursor={first.GetProperty("nextCursor").GetString()}")).Json();
        Assert.Equal(audit.Select(a => a.GetProperty("entryId").GetString()),
            first.GetProperty("items").EnumerateArray().Concat(rest.GetProperty("items").EnumerateArray()).Select(a => a.GetProperty("entryId").GetString()));
    }

    private static async Task<List<JsonElement>> AuditAsync(HttpClient me, string id) =>
        [.. (await (await me.GetAsync($"/api/v1/citizens/{id}/audit?limit=1000")).Json()).GetProperty("items").EnumerateArray()];

    [Fact]
    public async Task Filing_at_the_counter_needs_the_citizens_fresh_single_use_code_whatever_the_officials_commune()
    {
        var (id, me) = await RegisterAsync(new { officialsMayViewProfile = true });
        var counter = api.As(Roles.Official, Home); // even the home commune, with consent to view: filing needs the citizen there
        object Filing(string? code) => new { procedure = "certified-copy", citizenId = id, counterCode = code, form = new { documentName = "Bằng", copies = "1" } };

        Assert.Equal(HttpStatusCode.Forbidden, (await counter.PostJson("/api/v1/cases", Filing(null))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await counter.PostJson("/api/v1/cases", Filing("12345678"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Official, Home).PostAsync($"/api/v1/citizens/{id}/counter-codes", null)).StatusCode);

        var created = await me.PostAsync($"/api/v1/citizens/{id}/counter-codes", null);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var code = await created.Json();
        Assert.True(code.GetProperty("expiresAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow.AddMinutes(15.1));
        var filed = await counter.PostJson("/api/v1/cases", Filing(code.GetProperty("code").GetString()));
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        Assert.Equal("Hồ Thị Mai", (await filed.Json()).GetProperty("form").GetProperty("fullName").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await counter.PostJson("/api/v1/cases", Filing(code.GetProperty("code").GetString()))).StatusCode); // used
        Assert.Single(await AuditAsync(me, id));
    }

    [Fact]
    public async Task A_retried_request_with_the_same_Idempotency_Key_creates_one_dossier_and_one_report()
    {
        var (id, me) = await RegisterAsync();
        async Task<JsonElement> Send(HttpClient client, string path, object body, string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: HueGrains.Api.HueJson.Options) };
            request.Headers.Add("Idempotency-Key", key);
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return await response.Json();
        }
        var filing = new { procedure = "certified-copy", form = new { documentName = "Sổ hộ khẩu", copies = "1" } };
        var first = await Send(me, "/api/v1/cases", filing, "retry-1");
        var again = await Send(me, "/api/v1/cases", filing, "retry-1");
        Assert.Equal(first.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        Assert.NotEqual(first.GetProperty("id").GetString(), (await Send(me, "/api/v1/cases", filing, "retry-2")).GetProperty("id").GetString());
        Assert.Equal(2, (await (await me.GetAsync($"/api/v1/citizens/{id}")).Json()).GetProperty("cases").GetArrayLength());

        var report = new { category = "other", description = "Cây đổ chắn đường", commune = Home };
        var submitted = await Send(me, "/api/v1/feedback", report, "r-1");
        Assert.Equal(submitted.GetProperty("id").GetString(), (await Send(me, "/api/v1/feedback", report, "r-1")).GetProperty("id").GetString());
        var (_, other) = await RegisterAsync(); // the same key from someone else is theirs alone
        Assert.NotEqual(submitted.GetProperty("id").GetString(), (await Send(other, "/api/v1/feedback", report, "r-1")).GetProperty("id").GetString());
        await SensorApiTests.AssertProblem(await me.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/feedback")
        {
            Content = JsonContent.Create(report), Headers = { { "Idempotency-Key", new string('k', 300) } },
        }), HttpStatusCode.BadRequest, "Idempotency-Key");
    }

    [Fact]
    public async Task An_Idempotency_Key_reused_with_another_request_is_refused_and_ids_cannot_be_linked_to_a_citizen()
    {
        var (id, me) = await RegisterAsync();
        async Task<HttpResponseMessage> Send(string path, object body, string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: HueGrains.Api.HueJson.Options) };
            request.Headers.Add("Idempotency-Key", key);
            return await me.SendAsync(request);
        }
        var report = new { category = "other", description = "Cây đổ chắn đường", commune = Home };
        var first = await Send("/api/v1/feedback", report, "same-key");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var reportId = (await first.Json()).GetProperty("id").GetString()!;
        await SensorApiTests.AssertProblem(await Send("/api/v1/feedback", new { category = "other", description = "Một chuyện khác", commune = Home }, "same-key"),
            HttpStatusCode.UnprocessableEntity, null);
        var filing = new { procedure = "certified-copy", form = new { documentName = "Sổ", copies = "1" } };
        Assert.Equal(HttpStatusCode.Created, (await Send("/api/v1/cases", filing, "case-key")).StatusCode);
        await SensorApiTests.AssertProblem(await Send("/api/v1/cases", new { procedure = "certified-copy", form = new { documentName = "Sổ", copies = "3" } }, "case-key"),
            HttpStatusCode.UnprocessableEntity, null);

        // Knowing the citizen id and guessing the key is not enough to recompute a report's id: a server secret is in it.
        var guessed = Keys.FeedbackPrefix + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"{Keys.FeedbackPrefix}|{id}|same-key")))[..32];
        Assert.NotEqual(guessed, reportId);
    }

    [Fact]
    public async Task An_official_sees_the_work_list_of_their_own_commune_only()
    {
        var (_, me) = await RegisterAsync();
        var caseId = (await FileAsync(me, new { procedure = "certified-copy", form = new { documentName = "CMND", copies = "1" } })).GetProperty("id").GetString();

        var list = await Eventually.Holds(async () => await (await api.As(Roles.Official, Home).GetAsync($"/api/v1/communes/{Home}/cases?status=received")).Json(),
            l => l.GetProperty("items").EnumerateArray().Any(c => c.GetProperty("id").GetString() == caseId));
        var text = list.GetRawText();
        Assert.DoesNotContain("Hồ Thị Mai", text, StringComparison.Ordinal);
        Assert.DoesNotContain("0935246810", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Official, Elsewhere).GetAsync($"/api/v1/communes/{Home}/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Official, Elsewhere).GetAsync($"/api/v1/communes/{Home}/feedback")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await me.GetAsync($"/api/v1/communes/{Home}/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.As(Roles.Leader).GetAsync($"/api/v1/communes/{Home}/cases")).StatusCode);
        await SensorApiTests.AssertProblem(await api.As(Roles.Leader).GetAsync($"/api/v1/communes/{Home}/cases?limit=0"), HttpStatusCode.BadRequest, "limit");
        await SensorApiTests.AssertProblem(await api.As(Roles.Leader).GetAsync($"/api/v1/communes/{Home}/cases?status=lost"), HttpStatusCode.BadRequest, "status");
        await SensorApiTests.AssertProblem(await api.As(Roles.Leader).GetAsync($"/api/v1/communes/{Home}/cases?cursor=bm9wZQ"), HttpStatusCode.BadRequest, "cursor");
    }

    [Fact]
    public async Task Work_lists_page_with_a_cursor_that_stays_stable_while_new_dossiers_arrive()
    {
        const string Commune = "19996";
        var (_, me) = await RegisterAsync();
        async Task<string> File() => (await FileAsync(me, new { procedure = "certified-copy", commune = Commune, form = new { documentName = "Giấy", copies = "1" } }))
            .GetProperty("id").GetString()!;
        var filed = new List<string> { await File(), await File(), await File(), await File(), await File() };
        var leader = api.As(Roles.Leader);
        await Eventually.Holds(async () => await (await leader.GetAsync($"/api/v1/communes/{Commune}/cases?limit=1000")).Json(),
            p => p.GetProperty("items").GetArrayLength() == 5); // the commune has heard of all five
        var first = await (await leader.GetAsync($"/api/v1/communes/{Commune}/cases?limit=2")).Json();
        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        var late = await File(); // arrives at the top; the pages already cut do not shift

        var seen = first.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
        var cursor = first.GetProperty("nextCursor").GetString();
        while (cursor is not null)
        {
            var page = await (await leader.GetAsync($"/api/v1/communes/{Commune}/cases?limit=2&cursor={cursor}")).Json();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()!));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.String ? page.GetProperty("nextCursor").GetString() : null;
        }
        Assert.Equal(filed.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal)); // each once, none missing
        Assert.DoesNotContain(late, seen);
    }
}
