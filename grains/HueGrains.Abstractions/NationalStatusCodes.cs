namespace HueGrains;

/// <summary>One entry of the national public-service portal's dossier status list ("mã trạng thái hồ sơ").</summary>
public sealed record NationalStatus(int Code, string LabelVi, string LabelEn);

/// <summary>
/// Our dossier statuses in the national public-service portal's (Cổng Dịch vụ công quốc gia) code list, the one
/// source of truth for the dossier view, the change feed and the national sync.
/// The list 1–10 is the one used by the portal's "đồng bộ trạng thái hồ sơ" integration as several independent
/// one-stop-shop systems implement it; the official guidance text itself was not found, so the codes are unverified
/// against it (see README, "National dossier sync"). Codes 1 (newly registered online, not yet accepted) and 6
/// (financial obligation requested) have no status of ours: a filed dossier is accepted at once.
/// </summary>
public static class NationalStatusCodes
{
    private static readonly Dictionary<CaseStatus, NationalStatus> Table = new()
    {
        [CaseStatus.Received] = new(2, "Được tiếp nhận", "Accepted"),
        [CaseStatus.Processing] = new(4, "Đang xử lý", "Being processed"),
        [CaseStatus.SupplementRequested] = new(5, "Yêu cầu bổ sung giấy tờ", "Supplement requested"),
        [CaseStatus.ReadyToReturn] = new(9, "Đã xử lý xong", "Processed, result ready to return"),
        [CaseStatus.Returned] = new(10, "Đã trả kết quả", "Result returned"),
        // Refusals come after acceptance here (a dossier is received when filed), so not 3 "Không được tiếp nhận".
        [CaseStatus.Refused] = new(8, "Dừng xử lý", "Processing stopped (refused)"),
        [CaseStatus.Cancelled] = new(7, "Công dân yêu cầu rút hồ sơ", "Withdrawn at the applicant's request"),
    };

    public static NationalStatus Of(CaseStatus status) => Table[status];

    public static IReadOnlyDictionary<CaseStatus, NationalStatus> All => Table;
}
