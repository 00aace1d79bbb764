using Orleans.Concurrency;

namespace HueGrains;

/// <summary>Dossier states of Vietnam's one-stop-shop systems; the deadline pauses while a supplement is requested.</summary>
public enum CaseStatus { Received, SupplementRequested, Processing, ReadyToReturn, Returned, Refused, Cancelled }

public enum Timeliness { Early, OnTime, Late }

public static class CaseStatuses
{
    /// <summary>Returned, refused and cancelled dossiers are finished; no move leaves them.</summary>
    public static bool IsOpen(this CaseStatus status) => status is not (CaseStatus.Returned or CaseStatus.Refused or CaseStatus.Cancelled);
}

[GenerateSerializer, Immutable, Alias("hue.CaseFiling")]
public sealed record CaseFiling(
    [property: Id(0)] string Procedure,
    [property: Id(1)] string CitizenId,
    [property: Id(2)] string? Commune,
    [property: Id(3)] IReadOnlyDictionary<string, string>? Form,
    // The fingerprint of an idempotent request (Idempotency-Key): a retry must repeat it exactly.
    [property: Id(4)] string? RequestHash = null,
    // An official filing at the counter shows the code the applicant created for it (proof of presence).
    [property: Id(5)] string? CounterCode = null);

[GenerateSerializer, Immutable, Alias("hue.CaseView")]
public sealed record CaseView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Procedure,
    [property: Id(2)] string ProcedureName,
    [property: Id(3)] string CitizenId,
    [property: Id(4)] string Commune,
    [property: Id(5)] CaseStatus Status,
    [property: Id(6)] IReadOnlyDictionary<string, string> Form,
    [property: Id(7)] DateTimeOffset FiledAt,
    [property: Id(8)] DateTimeOffset DueAt,
    [property: Id(9)] DateTimeOffset? CompletedAt,
    [property: Id(10)] Timeliness? Timeliness,
    [property: Id(11)] IReadOnlyList<HistoryEntry> History,
    [property: Id(12)] bool Overdue = false,
    [property: Id(13)] string? ProcedureNameEn = null)
{
    /// <summary>The status in the national portal's code list (<see cref="NationalStatusCodes"/>); derived, not stored.</summary>
    public int NationalStatusCode => NationalStatusCodes.Of(Status).Code;
}

/// <summary>A dossier in a commune's work list: no personal data.</summary>
[GenerateSerializer, Immutable, Alias("hue.CaseSummary")]
public sealed record CaseSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string Procedure,
    [property: Id(2)] CaseStatus Status,
    [property: Id(3)] DateTimeOffset FiledAt,
    [property: Id(4)] DateTimeOffset DueAt,
    [property: Id(5)] bool Overdue);

[Alias("hue.ICaseGrain")]
public interface ICaseGrain : IGrainWithStringKey
{
    /// <summary>Files the dossier; the form is pre-filled from the applicant's profile.</summary>
    [Alias("File")]
    Task<CaseView> File(CaseFiling filing, Actor actor, CancellationToken ct = default);

    /// <summary>
    /// The dossier for its applicant or an official of the responsible commune (others get Forbidden); an official's
    /// read is recorded in the applicant's access log, since the form holds their personal data.
    /// </summary>
    [Alias("Read")]
    Task<CaseView?> Read(Actor reader, CancellationToken ct = default);

    [Alias("ChangeStatus")]
    Task<CaseView> ChangeStatus(CaseStatus status, string? note, Actor actor, CancellationToken ct = default);

    [Alias("GetSnapshot"), AlwaysInterleave] // a pure read; lets reconcile and enrolment cross without deadlock
    Task<CaseSnapshot?> GetSnapshot(CancellationToken ct = default);
}
