using System.Net;
using System.Text;
using System.Text.Json;

namespace HueGrains.Tests.Http;

/// <summary>
/// Identifiers over HTTP with a trailing newline, a NUL or look-alike Unicode (fullwidth or Arabic-Indic digits,
/// Cyrillic letters): each gets a 4xx problem, never a 500, and never becomes a second entity beside the real one.
/// </summary>
[Collection(ApiCollection.Name)]
public class IdentifierApiTests(ApiFixture api)
{
    private static readonly object Spec = new { kind = "water-level", unit = "m", commune = "19774", latitude = 16.46, longitude = 107.55 };

    private static string NationalId() =>
        Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The same digits in another script: what a copy from a phone or a web form can bring.</summary>
    private static string InScript(string digits, char zero) => string.Concat(digits.Select(d => (char)(zero + (d - '0'))));

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        await SensorApiTests.AssertProblem(response, status, field);
    }

    /// <summary>URL-encoded suffixes: newline, CR LF, Cyrillic 'а', fullwidth '1', Arabic-Indic '3'. (The test server refuses %00 in a path.)</summary>
    [Theory]
    [InlineData("%0A")]
    [InlineData("%0D%0A")]
    [InlineData("%D0%B0")]
    [InlineData("%EF%BC%91")]
    [InlineData("%D9%A3")]
    public async Task A_sensor_id_with_a_trailing_newline_or_look_alike_character_gets_400_and_creates_no_sensor(string suffix)
    {
        var id = $"probe-{Guid.NewGuid():N}";
        var operatorClient = api.As(Roles.Operator);
        await AssertProblem(await operatorClient.PutJson($"/api/v1/sensors/{id}{suffix}", Spec), HttpStatusCode.BadRequest, "id");
        await AssertProblem(await api.Anonymous.GetAsync($"/api/v1/sensors/{id}{suffix}"), HttpStatusCode.NotFound);
        await AssertProblem(await api.Anonymous.GetAsync($"/api/v1/sensors/{id}"), HttpStatusCode.NotFound);
        await AssertProblem(await operatorClient.PostJson($"/api/v1/sensors/{id}{suffix}/readings", new { at = DateTimeOffset.UtcNow, value = 1.0 }),
            HttpStatusCode.BadRequest, "id");
        await AssertProblem(await operatorClient.PostAsync($"/api/v1/sensors/{id}{suffix}/key", null), HttpStatusCode.NotFound);

        // The real sensor is created once; the look-alike neither reaches it nor creates a twin.
        Assert.Equal(HttpStatusCode.Created, (await operatorClient.PutJson($"/api/v1/sensors/{id}", Spec)).StatusCode);
        await AssertProblem(await operatorClient.PutJson($"/api/v1/sensors/{id}{suffix}", Spec), HttpStatusCode.BadRequest, "id");
        Assert.Equal(HttpStatusCode.OK, (await operatorClient.PutJson($"/api/v1/sensors/{id}", Spec)).StatusCode);
    }

    [Fact]
    public async Task Bulk_rows_and_SenML_names_with_a_newline_NUL_or_look_alike_character_are_rejected_by_field()
    {
        var id = $"probe-{Guid.NewGuid():N}";
        string[] bad = [id + "\n", id + "\0", id + "\r\n", id.Replace('o', 'о'), id + "１"]; // Cyrillic 'о', fullwidth '1'
        var rows = bad.Select(b => new { id = b, kind = "water-level", unit = "m", commune = "19774", latitude = 16.46, longitude = 107.55 }).ToArray();
        var response = await api.As(Roles.Operator).PostJson("/api/v1/sensors", rows);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Json();
        Assert.Equal((0, bad.Length), (body.GetProperty("created").GetInt32(), body.GetProperty("rejected").GetInt32()));
        Assert.All(body.GetProperty("results").EnumerateArray(), r => Assert.True(r.GetProperty("errors").TryGetProperty("id", out _), r.ToString()));
        await AssertProblem(await api.Anonymous.GetAsync($"/api/v1/sensors/{id}"), HttpStatusCode.NotFound);

        foreach (var name in new[] { id + "\0", id.Replace('o', 'о'), id + "１" })
        {
            var pack = JsonSerializer.Serialize(new[] { new { bn = name, v = 1.0 } });
            var senml = await api.As(Roles.Operator).PostAsync("/api/v1/readings", new StringContent(pack, Encoding.UTF8, "application/senml+json"));
            await AssertProblem(senml, HttpStatusCode.BadRequest, "[0].bn");
        }
    }

    [Fact]
    public async Task A_national_ID_with_a_trailing_newline_NUL_or_look_alike_digits_does_not_register_a_second_citizen()
    {
        var nationalId = NationalId();
        object Body(string nid) => new { fullName = "Hoàng Văn Em", dateOfBirth = "1980-05-05", nationalId = nid, phone = "0905123456", homeCommune = "19753" };
        Assert.Equal(HttpStatusCode.Created, (await api.As(Roles.Official, "19753").PostJson("/api/v1/citizens", Body(nationalId))).StatusCode);

        string[] variants = [nationalId + "\n", nationalId + "\r\n", nationalId + "\0", "\n" + nationalId, InScript(nationalId, '０'), InScript(nationalId, '٠'), InScript(nationalId, '۰')];
        foreach (var variant in variants)
        {
            var citizenId = Keys.NewCitizenId();
            var me = api.As(Roles.Citizen, citizenId: citizenId);
            await AssertProblem(await me.PostJson("/api/v1/citizens", Body(variant)), HttpStatusCode.BadRequest, "nationalId");
            await AssertProblem(await me.GetAsync($"/api/v1/citizens/{citizenId}"), HttpStatusCode.NotFound);
        }
        // The exact ID is still the one registered.
        await AssertProblem(await api.As(Roles.Citizen, citizenId: Keys.NewCitizenId()).PostJson("/api/v1/citizens", Body(nationalId)), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_phone_with_a_trailing_newline_NUL_or_look_alike_digits_is_refused_at_registration_and_on_change()
    {
        var citizenId = Keys.NewCitizenId();
        var me = api.As(Roles.Citizen, citizenId: citizenId);
        string[] variants = ["0914123456\n", "0914123456\r\n", "0914123456\0", InScript("0914123456", '０'), "+84" + InScript("914123456", '٠')];
        foreach (var phone in variants)
        {
            var body = new { fullName = "Võ Thị Giang", dateOfBirth = "1992-02-02", nationalId = NationalId(), phone, homeCommune = "19753" };
            await AssertProblem(await me.PostJson("/api/v1/citizens", body), HttpStatusCode.BadRequest, "phone");
        }
        Assert.Equal(HttpStatusCode.Created, (await me.PostJson("/api/v1/citizens",
            new { fullName = "Võ Thị Giang", dateOfBirth = "1992-02-02", nationalId = NationalId(), phone = "0914 123 456", homeCommune = "19753" })).StatusCode);
        foreach (var phone in variants)
        {
            using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/citizens/{citizenId}")
            {
                Content = new StringContent(JsonSerializer.Serialize(new { phone }), Encoding.UTF8, "application/json"),
            };
            await AssertProblem(await me.SendAsync(patch), HttpStatusCode.BadRequest, "phone");
        }
        var profile = await (await me.GetAsync($"/api/v1/citizens/{citizenId}")).Json();
        Assert.Equal("0914123456", profile.GetProperty("profile").GetProperty("phone").GetString());
    }

    [Fact]
    public async Task Entity_ids_with_a_trailing_newline_or_look_alike_digits_are_not_found_or_refused_by_field()
    {
        var hex = Guid.NewGuid().ToString("N");
        string[] suffixes = ["%0A", "%0D%0A", "%EF%BC%90"]; // newline, CR LF, fullwidth '0'
        foreach (var suffix in suffixes)
        {
            var official = api.As(Roles.Official, "19753");
            await AssertProblem(await official.GetAsync($"/api/v1/cases/{Keys.CasePrefix}{hex}{suffix}"), HttpStatusCode.NotFound);
            await AssertProblem(await api.Anonymous.GetAsync($"/api/v1/feedback/{Keys.FeedbackPrefix}{hex}{suffix}"), HttpStatusCode.NotFound);
            await AssertProblem(await official.GetAsync($"/api/v1/citizens/{Keys.CitizenPrefix}{hex}{suffix}"), HttpStatusCode.NotFound);
        }
        // An official filing a dossier names the applicant by id: the id must be exact.
        foreach (var citizenId in new[] { $"{Keys.CitizenPrefix}{hex}\n", $"{Keys.CitizenPrefix}{hex}\0", $"{Keys.CitizenPrefix}{hex[..^1]}０" })
        {
            var filed = await api.As(Roles.Official, "19753").PostJson("/api/v1/cases",
                new { procedure = "temporary-residence", citizenId, form = new { address = "5 Lê Lợi, Phú Xuân", stayUntil = "2027-06-30" } });
            await AssertProblem(filed, HttpStatusCode.BadRequest, "citizenId");
        }
    }
}
