using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HueGrains.Grains;

/// <summary>
/// Dossier changes in the national public-service portal's field shape, as its dossier sync ("DongBoHoSoMC") takes
/// them through a province's data-sharing platform (LGSP). Field names, the service name and the
/// <c>yyyyMMddHHmmss</c> local times follow the portal integration of the open-source one-stop-shop system OpenCPS
/// (DVCQGIntegrationActionImpl) and the LGSP credentials header follows its LGSP integrations; the portal's own
/// guidance was not available to check against (README, "National dossier sync").
/// Never personal data: no applicant (ChuHoSo, SoDienThoai, Email, MaDoiTuong are left out), no form.
/// </summary>
public static class NationalDossierPayload
{
    public const string Service = "DongBoHoSoMC";

    /// <summary>The LGSP credentials header: base64 of a JSON object with the access key, secret key and, when set, app name and partner code.</summary>
    public const string AccessTokenHeader = "lgspaccesstoken";

    private const string TimeFormat = "yyyyMMddHHmmss";

    /// <summary>As the feed stores snapshots: property names as declared, enums as numbers.</summary>
    private static readonly JsonSerializerOptions StoredJson = new();

    /// <summary>One dossier as the portal takes it. Times in Vietnam time (UTC+7); empty when not (yet) known.</summary>
    public sealed record Dossier(
        string MaHoSo, string MaTTHC, string TenTTHC, string MaDonVi, string NgayTiepNhan, string NgayHenTra,
        string TrangThaiHoSo, string NgayKetThucXuLy, string NgayTra);

    public sealed record Body([property: JsonPropertyName("service")] string Service, [property: JsonPropertyName("data")] IReadOnlyList<Dossier> Data);

    /// <summary>The body for a batch of changes, oldest first; changes other than dossiers are not the portal's and are left out.</summary>
    public static string Render(IReadOnlyList<ChangeRecord> changes) =>
        JsonSerializer.Serialize(new Body(Service, [.. changes.Where(c => c.Type == ChangeTypes.Case).Select(Of)]));

    public static Dossier Of(ChangeRecord change)
    {
        var row = JsonSerializer.Deserialize<CaseRow>(change.Data, StoredJson)!;
        var procedure = ProcedureCatalog.Find(row.Procedure);
        // End of processing: when the result became ready (that change's time), or the refusal or withdrawal. For a
        // returned dossier the preceding "ready" change carried it; the snapshot no longer holds that time.
        DateTimeOffset? processedAt = row.Status switch
        {
            CaseStatus.ReadyToReturn => row.UpdatedAt,
            CaseStatus.Refused or CaseStatus.Cancelled => row.ClosedAt,
            _ => null,
        };
        return new Dossier(
            MaHoSo: row.Id,
            MaTTHC: procedure?.NationalCode ?? "",
            TenTTHC: procedure?.NameVi ?? "",
            MaDonVi: row.Commune,
            NgayTiepNhan: Time(row.FiledAt),
            NgayHenTra: Time(row.DueAt),
            TrangThaiHoSo: NationalStatusCodes.Of(row.Status).Code.ToString(CultureInfo.InvariantCulture),
            NgayKetThucXuLy: Time(processedAt),
            NgayTra: Time(row.Status == CaseStatus.Returned ? row.CompletedAt : null));
    }

    public static string Time(DateTimeOffset? at) =>
        at is { } t ? t.ToOffset(HueLocalTime.Offset).ToString(TimeFormat, CultureInfo.InvariantCulture) : "";

    public static IReadOnlyDictionary<string, string> Headers(NationalSyncOptions platform)
    {
        var credentials = new Dictionary<string, string> { ["AccessKey"] = platform.AccessKey, ["SecretKey"] = platform.SecretKey };
        if (!string.IsNullOrWhiteSpace(platform.AppName)) credentials["AppName"] = platform.AppName;
        if (!string.IsNullOrWhiteSpace(platform.PartnerCode)) credentials["PartnerCode"] = platform.PartnerCode;
        return new Dictionary<string, string>
        {
            [AccessTokenHeader] = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(credentials))),
        };
    }
}
