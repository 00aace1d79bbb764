using System.Text.Json;
using HueGrains.Grains;

namespace HueGrains.Tests.Domain;

/// <summary>The national portal's code list, procedure codes and field formats, without a cluster.</summary>
public class NationalSyncTests
{
    [Fact]
    public void Every_dossier_status_has_its_own_code_from_the_portal_s_list()
    {
        var codes = Enum.GetValues<CaseStatus>().Select(s => NationalStatusCodes.Of(s).Code).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, c => Assert.InRange(c, 1, 10));
        Assert.Equal(5, NationalStatusCodes.Of(CaseStatus.SupplementRequested).Code);
        Assert.Equal(10, NationalStatusCodes.Of(CaseStatus.Returned).Code);
    }

    [Fact]
    public void Every_catalogue_procedure_has_a_national_code_in_the_database_s_format()
    {
        Assert.All(ProcedureCatalog.All, p => Assert.Matches(@"^[0-9]\.[0-9]{6}$", p.NationalCode));
        Assert.Equal(ProcedureCatalog.All.Count, ProcedureCatalog.All.Select(p => p.NationalCode).Distinct().Count());
    }

    [Theory]
    [InlineData("2025-01-31T20:30:05Z", "20250201033005")] // UTC evening: the next morning in Huế
    [InlineData("2025-06-01T08:00:00+07:00", "20250601080000")]
    public void Portal_times_are_Vietnam_time_to_the_second(string at, string expected) =>
        Assert.Equal(expected, NationalDossierPayload.Time(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void A_dossier_change_leaves_the_applicant_out()
    {
        static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);
        var row = new CaseRow("c-1", 3, "19753", "birth-registration", "z-applicant", CaseStatus.ReadyToReturn,
            At("2025-03-03T01:00:00Z"), At("2025-03-04T10:00:00Z"), null, null, false, At("2025-03-03T02:00:00Z"));
        var change = new ChangeRecord(9, ChangeTypes.Case, "c-1", "19753", 3, row.UpdatedAt, JsonSerializer.Serialize(row));
        var dossier = NationalDossierPayload.Of(change);
        Assert.Equal(new NationalDossierPayload.Dossier("c-1", "1.001193", "Đăng ký khai sinh", "19753", "20250303080000", "20250304170000", "9",
            "20250303090000", ""), dossier);
        Assert.DoesNotContain("z-applicant", NationalDossierPayload.Render([change]));
    }

    [Fact]
    public void The_platform_key_travels_in_the_LGSP_header()
    {
        var header = NationalDossierPayload.Headers(new NationalSyncOptions { AccessKey = "ak", SecretKey = "sk", AppName = "hue" })[NationalDossierPayload.AccessTokenHeader];
        var token = JsonDocument.Parse(Convert.FromBase64String(header)).RootElement;
        Assert.Equal(["AccessKey", "SecretKey", "AppName"], token.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ak", token.GetProperty("AccessKey").GetString());
    }
}
