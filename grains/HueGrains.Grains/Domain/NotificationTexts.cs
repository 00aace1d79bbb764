using System.Text.Json;

namespace HueGrains.Grains.Domain;

/// <summary>
/// Which changes of the feed citizens hear of, and what they read, in Vietnamese and English: a flood or air alert
/// raised or raised further (not one that falls), and each new version of a report after its submission.
/// </summary>
public static class NotificationTexts
{
    private static readonly SensorKind[] AlertKinds = [SensorKind.WaterLevel, SensorKind.Rainfall, SensorKind.Pm25, SensorKind.Pm10];

    public static NotificationDraft? Draft(ChangeRecord change)
    {
        using var json = JsonDocument.Parse(change.Data);
        var data = json.RootElement;
        return change.Type switch
        {
            ChangeTypes.Alert => Alert(change, data),
            ChangeTypes.Feedback => ReportUpdate(change, data),
            _ => null,
        };
    }

    private static NotificationDraft? Alert(ChangeRecord change, JsonElement data)
    {
        var level = Int(data, "AlertLevel");
        var kind = (SensorKind)Int(data, "Kind");
        if (level <= Int(data, "PreviousAlertLevel") || !AlertKinds.Contains(kind)) return null;
        var place = change.Commune is { } code && CityMap.Find(code) is { } commune ? commune.FullNameVi : "Huế";
        var placeEn = change.Commune is { } c && CityMap.Find(c) is { } info ? info.Name : "Huế";
        var (vi, en) = kind switch
        {
            SensorKind.WaterLevel => ($"Cảnh báo lũ: mực nước tại {place} đạt Báo động {level}", $"Flood alert: the water level in {placeEn} reached alarm level {level}"),
            SensorKind.Rainfall => ($"Cảnh báo mưa lớn tại {place} (mức {level})", $"Heavy rain alert in {placeEn} (level {level})"),
            _ => ($"Cảnh báo chất lượng không khí tại {place} (mức {level})", $"Air quality alert in {placeEn} (level {level})"),
        };
        return new NotificationDraft(change.Position, change.At, NotificationKinds.Alert, change.EntityId, change.Commune,
            Double(data, "Latitude"), Double(data, "Longitude"), vi, en);
    }

    private static NotificationDraft? ReportUpdate(ChangeRecord change, JsonElement data)
    {
        if (change.Version <= 1) return null; // the submission itself: the reporter knows
        var (vi, en) = (FeedbackStatus)Int(data, "Status") switch
        {
            FeedbackStatus.Submitted => ("đã được cập nhật", "was updated"),
            FeedbackStatus.Assigned => ("đã được giao xử lý", "was assigned"),
            FeedbackStatus.InProgress => ("đang được xử lý", "is being handled"),
            FeedbackStatus.Resolved => ("đã có trả lời", "was answered"),
            FeedbackStatus.Closed => ("đã đóng", "was closed"),
            FeedbackStatus.Reopened => ("đã được mở lại", "was reopened"),
            _ => ("đã được cập nhật", "was updated"),
        };
        return new NotificationDraft(change.Position, change.At, NotificationKinds.ReportUpdate, change.EntityId, change.Commune, null, null,
            $"Phản ánh bạn theo dõi {vi}", $"A report you follow {en}");
    }

    private static int Int(JsonElement data, string name) =>
        data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : 0;

    private static double? Double(JsonElement data, string name) =>
        data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
