using System.Net;

namespace HueGrains.Tests.Domain;

/// <summary>Which webhook targets may be registered and connected to, and what the subscription filters let through.</summary>
public class WebhookTargetsTests
{
    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.20.30.40", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("64:ff9b::a9fe:a9fe", true)] // NAT64 to 169.254.169.254
    [InlineData("2002:a9fe:a9fe::1", true)] // 6to4
    [InlineData("2001:0:4136:e378::1", true)] // Teredo
    [InlineData("::a9fe:a9fe", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("2001:4860:4860::8888", false)]
    public void Internal_ranges_are_recognised(string address, bool isInternal) =>
        Assert.Equal(isInternal, WebhookTargets.IsInternal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("https://hooks.example/x", true)]
    [InlineData("http://hooks.example/x", false)]
    [InlineData("https://user:pw@hooks.example/x", false)]
    [InlineData("https://192.168.0.10/x", false)]
    [InlineData("ftp://hooks.example/x", false)]
    [InlineData("/relative", false)]
    public void Only_https_to_outside_addresses_without_an_allowance(string url, bool accepted) =>
        Assert.Equal(accepted, WebhookTargets.Refusal(url, None) is null);

    [Fact]
    public void An_allowed_host_may_be_plain_http_and_internal() =>
        Assert.Null(WebhookTargets.Refusal("http://127.0.0.1:9000/hook", new HashSet<string> { "127.0.0.1" }));

    [Fact]
    public void Filters_concern_only_the_types_that_carry_their_field()
    {
        var gauge = new ChangeRecord(1, ChangeTypes.Alert, "g", "19753", 1, DateTimeOffset.UnixEpoch, """{"Kind":0,"AlertLevel":2}""");
        var dossier = new ChangeRecord(2, ChangeTypes.Case, "c", "19753", 1, DateTimeOffset.UnixEpoch, """{"Status":2}""");
        var filters = new SubscriptionFilters(SensorKind.WaterLevel, MinAlertLevel: 2, CaseStatus: CaseStatus.Processing);
        Assert.True(filters.Admits(gauge));
        Assert.True(filters.Admits(dossier));
        Assert.False((filters with { MinAlertLevel = 3 }).Admits(gauge));
        Assert.False((filters with { SensorKind = SensorKind.Pm25 }).Admits(gauge));
        Assert.False((filters with { CaseStatus = CaseStatus.Received }).Admits(dossier));
        Assert.True((filters with { CaseStatus = CaseStatus.Received }).Admits(gauge));
    }

    [Fact]
    public void A_subscription_s_state_survives_the_JSON_its_durable_storage_writes()
    {
        var spec = new SubscriptionSpec("https://hooks.example/x", new ChangeQuery(0, [ChangeTypes.Case], "19753", 0, ["19753"]),
            new SubscriptionFilters(CaseStatus: CaseStatus.Processing), DateTimeOffset.UnixEpoch.AddYears(60), 10, "secret-of-some-length",
            new Actor(Roles.Official, "19753", null, "official-1"));
        var state = new Grains.SubscriptionState { Spec = spec, Cursor = 42, Paused = true, ConsecutiveFailures = 3, LastFailureStatus = 503 };
        var back = System.Text.Json.JsonSerializer.Deserialize<Grains.SubscriptionState>(System.Text.Json.JsonSerializer.Serialize(state))!;
        Assert.Equal(spec with { Query = back.Spec!.Query }, back.Spec);
        Assert.Equal(spec.Query.Types, back.Spec.Query.Types);
        Assert.Equal(spec.Query.CaseCommunes, back.Spec.Query.CaseCommunes);
        Assert.Equal((42L, true, 3, (int?)503), (back.Cursor, back.Paused, back.ConsecutiveFailures, back.LastFailureStatus));
    }
}
