using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using HueGrains.Api.Auth;
using Microsoft.AspNetCore.TestHost;

namespace HueGrains.Tests.Http;

/// <summary>The national dossier sync (issue 15 item 4): status codes, procedure codes, the national-portal subscription kind.</summary>
[Collection(ApiCollection.Name)]
public class NationalSyncApiTests(ApiFixture api)
{
    private const string Secret = "a-test-secret-of-enough-length";
    private const string Commune = "19753";
    private const string FullName = "Trần Thị Hoa";
    private const string Phone = "0905 333 444";

    private static readonly string[] PortalFields =
        ["MaHoSo", "MaTTHC", "TenTTHC", "MaDonVi", "NgayTiepNhan", "NgayHenTra", "TrangThaiHoSo", "NgayKetThucXuLy", "NgayTra"];

    private async Task<(string Citizen, string NationalId, HttpClient Me)> RegisterAsync()
    {
        var id = Keys.NewCitizenId();
        var me = api.As(Roles.Citizen, citizenId: id);
        var nationalId = Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.Created, (await me.PostJson("/api/v1/citizens",
            new { fullName = FullName, dateOfBirth = "1985-02-03", nationalId, phone = Phone, homeCommune = Commune })).StatusCode);
        return (id, nationalId, me);
    }

    private static async Task<string> FileAsync(HttpClient me)
    {
        var filed = await me.PostJson("/api/v1/cases", new { procedure = "temporary-residence", form = new { address = "7 Hùng Vương", stayUntil = "2027-06-30" } });
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        return (await filed.Json()).GetProperty("id").GetString()!;
    }

    private static async Task MoveAsync(HttpClient who, string id, string status) =>
        Assert.Equal(HttpStatusCode.OK, (await who.PostJson($"/api/v1/cases/{id}/status", new { status })).StatusCode);

    /// <summary>The dossiers a target received, in the order it received them (a retried batch counted once, by its delivery id).</summary>
    private static List<JsonElement> Items(WebhookReceiver receiver) =>
        [.. receiver.Accepted.OrderBy(r => r.Attempt).DistinctBy(r => r.DeliveryId)
            .SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").EnumerateArray())];

    private static string Local(JsonElement time) =>
        DateTimeOffset.Parse(time.GetString()!, CultureInfo.InvariantCulture).ToOffset(TimeSpan.FromHours(7)).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value).Append(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        JsonValueKind.String => [element.GetString()!],
        _ => [],
    };

    [Fact]
    public async Task Dossier_changes_reach_the_portal_target_in_order_in_its_shape_with_the_platform_key_and_no_personal_data()
    {
        using var receiver = new WebhookReceiver();
        var op = api.As(Roles.Operator);
        var created = await op.PostJson("/api/v1/subscriptions", new { kind = "national-portal", url = receiver.Url, secret = Secret });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var subscription = await created.Json();
        Assert.Equal("national-portal", subscription.GetProperty("kind").GetString());
        Assert.Equal(["case"], subscription.GetProperty("types").EnumerateArray().Select(t => t.GetString()));

        var (citizen, nationalId, me) = await RegisterAsync();
        var official = api.As(Roles.Official, Commune);
        var returned = await FileAsync(me);
        foreach (var status in new[] { "processing", "supplement-requested", "processing", "ready-to-return", "returned" })
            await MoveAsync(official, returned, status);
        var withdrawn = await FileAsync(me);
        await MoveAsync(me, withdrawn, "cancelled");

        var items = await Eventually.Holds(() => Task.FromResult(Items(receiver)),
            got => got.Any(i => i.GetProperty("MaHoSo").GetString() == withdrawn), TimeSpan.FromSeconds(20));
        string[] Codes(string id) => [.. items.Where(i => i.GetProperty("MaHoSo").GetString() == id).Select(i => i.GetProperty("TrangThaiHoSo").GetString()!)];
        Assert.Equal(["2", "4", "5", "4", "9", "10"], Codes(returned));
        Assert.Equal(["2", "7"], Codes(withdrawn));

        // The portal's fields and nothing else; times as yyyyMMddHHmmss in Vietnam time (UTC+7).
        var view = await (await official.GetAsync($"/api/v1/cases/{returned}")).Json();
        Assert.Equal(10, view.GetProperty("nationalStatusCode").GetInt32());
        var last = items.Last(i => i.GetProperty("MaHoSo").GetString() == returned);
        Assert.Equal(PortalFields, last.EnumerateObject().Select(p => p.Name));
        Assert.Equal("1.004194", last.GetProperty("MaTTHC").GetString());
        Assert.Equal("Đăng ký tạm trú", last.GetProperty("TenTTHC").GetString());
        Assert.Equal(Commune, last.GetProperty("MaDonVi").GetString());
        Assert.Equal(Local(view.GetProperty("filedAt")), last.GetProperty("NgayTiepNhan").GetString());
        Assert.Equal(Local(view.GetProperty("dueAt")), last.GetProperty("NgayHenTra").GetString());
        Assert.Equal(Local(view.GetProperty("completedAt")), last.GetProperty("NgayTra").GetString());
        var ready = items.Single(i => i.GetProperty("MaHoSo").GetString() == returned && i.GetProperty("TrangThaiHoSo").GetString() == "9");
        Assert.Matches("^[0-9]{14}$", ready.GetProperty("NgayKetThucXuLy").GetString());
        Assert.Equal("", ready.GetProperty("NgayTra").GetString());

        var requests = receiver.Accepted.ToList();
        Assert.All(requests, r => Assert.True(WebhookReceiver.Verifies(r, Secret), "signature"));
        Assert.All(requests, r =>
        {
            var token = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(r.Headers["lgspaccesstoken"]!))).RootElement;
            Assert.Equal(ApiFixture.NationalAccessKey, token.GetProperty("AccessKey").GetString());
            Assert.Equal(ApiFixture.NationalSecretKey, token.GetProperty("SecretKey").GetString());
        });
        Assert.All(requests, r => Assert.Equal("DongBoHoSoMC", JsonDocument.Parse(r.Body).RootElement.GetProperty("service").GetString()));
        var sent = requests.SelectMany(r => Strings(JsonDocument.Parse(r.Body).RootElement)).ToList();
        foreach (var personal in new[] { citizen, nationalId, FullName, Phone, "Hùng Vương" })
            Assert.DoesNotContain(sent, s => s.Contains(personal, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_change_feed_and_the_catalogue_carry_the_national_codes()
    {
        var (_, _, me) = await RegisterAsync();
        var start = (await (await api.As(Roles.Operator).GetAsync("/api/v1/changes?after=0&limit=1")).Json()).GetProperty("nextCursor").GetString();
        var id = await FileAsync(me);
        await MoveAsync(api.As(Roles.Official, Commune), id, "supplement-requested");
        var feed = await (await api.As(Roles.Leader).GetAsync($"/api/v1/changes?after={start}&types=case&limit=1000")).Json();
        var mine = feed.GetProperty("items").EnumerateArray().Where(c => c.GetProperty("id").GetString() == id).ToList();
        Assert.Equal([2, 5], mine.Select(c => c.GetProperty("data").GetProperty("nationalStatusCode").GetInt32()));

        var procedures = await (await api.Anonymous.GetAsync("/api/v1/procedures")).Json();
        var birth = procedures.EnumerateArray().Single(p => p.GetProperty("code").GetString() == "birth-registration");
        Assert.Equal("1.001193", birth.GetProperty("nationalCode").GetString());
        Assert.True(birth.GetProperty("nationalCodeVerified").GetBoolean());
        Assert.Contains(procedures.EnumerateArray(), p => !p.GetProperty("nationalCodeVerified").GetBoolean());
    }

    [Fact]
    public async Task Without_the_platform_s_keys_a_national_portal_subscription_is_refused_as_unavailable_not_a_500()
    {
        var auth = new HueAuthOptions { SigningKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) };
        var app = await TestPlatform.StartAsync(new()
        {
            ["Hue:Auth:SigningKey"] = auth.SigningKey,
            ["Hue:Mqtt:Enabled"] = "false",
            ["Hue:Dashboard"] = "false",
        });
        try
        {
            var op = app.GetTestClient();
            op.DefaultRequestHeaders.Authorization = new("Bearer", TokenIssuer.Issue(auth, Roles.Operator, null, null));
            var response = await op.PostJson("/api/v1/subscriptions", new { kind = "national-portal", url = "https://lgsp.example/dvcqg", secret = Secret });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Hue:NationalSync:AccessKey", (await response.Json()).GetProperty("detail").GetString());
            // An ordinary webhook needs no such keys.
            Assert.Equal(HttpStatusCode.Created, (await op.PostJson("/api/v1/subscriptions", new { url = "https://hooks.example/hook", secret = Secret })).StatusCode);
        }
        finally
        {
            await TestPlatform.StopAsync(app);
        }
    }

    [Theory]
    [InlineData(Roles.Leader, null)]
    [InlineData(Roles.Official, Commune)]
    public async Task Only_operators_set_up_the_national_sync(string role, string? commune)
    {
        var response = await api.As(role, commune).PostJson("/api/v1/subscriptions",
            new { kind = "national-portal", url = "https://lgsp.example/dvcqg", types = new[] { "case" }, secret = Secret });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"kind":"national-portal","url":"https://lgsp.example/dvcqg","secret":"a-test-secret-of-enough-length","types":["case","alert"]}""", "types")]
    [InlineData("""{"kind":"national-portal","url":"https://lgsp.example/dvcqg","secret":"a-test-secret-of-enough-length","types":["sensor"]}""", "types")]
    [InlineData("""{"kind":"fax","url":"https://lgsp.example/dvcqg","secret":"a-test-secret-of-enough-length"}""", "kind")]
    [InlineData("""{"kind":7,"url":"https://lgsp.example/dvcqg","secret":"a-test-secret-of-enough-length"}""", "kind")]
    public async Task A_malformed_national_portal_subscription_is_a_400_naming_the_field(string body, string field)
    {
        var response = await api.As(Roles.Operator).PostRaw("/api/v1/subscriptions", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }
}
