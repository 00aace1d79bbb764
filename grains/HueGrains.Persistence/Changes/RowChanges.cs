using System.Text.Json;

namespace HueGrains.Persistence;

/// <summary>
/// Which changes a new projection row makes, in memory: the same rules as the trigger of deploy/sql/009 (a dossier or
/// report at a new version; a sensor placed or re-placed; an alert level that moved), with the same JSON.
/// </summary>
public static class RowChanges
{
    /// <summary>As the grain-state serializer writes rows: property names as declared, enums as numbers.</summary>
    private static readonly JsonSerializerOptions RowJson = new();

    public static IEnumerable<(string Type, string Data)> Between(IProjectionRow? before, IProjectionRow now)
    {
        switch (now)
        {
            case CaseRow c when before is not CaseRow b || b.Version != c.Version:
                yield return (ChangeTypes.Case, Public(c, nameof(CaseRow.CitizenId)));
                break;
            case FeedbackRow f when before is not FeedbackRow b || b.Version != f.Version:
                yield return (ChangeTypes.Feedback, Public(f, nameof(FeedbackRow.ReporterId)));
                break;
            case SensorRow s:
                var was = before as SensorRow;
                if (was is null || (was.Commune, was.Kind, was.Latitude, was.Longitude) != (s.Commune, s.Kind, s.Latitude, s.Longitude))
                    yield return (ChangeTypes.Sensor, Public(s, nameof(SensorRow.DeviceKeyHash)));
                if ((was?.AlertLevel ?? 0) != s.AlertLevel)
                    yield return (ChangeTypes.Alert, Public(s, nameof(SensorRow.DeviceKeyHash), ("PreviousAlertLevel", was?.AlertLevel ?? 0)));
                break;
        }
    }

    private static string Public(IProjectionRow row, string? personal = null, (string Name, int Value)? extra = null)
    {
        var json = JsonSerializer.SerializeToNode(row, row.GetType(), RowJson)!.AsObject();
        if (personal is not null) json.Remove(personal);
        if (extra is var (name, value)) json[name] = value;
        return json.ToJsonString(RowJson);
    }
}
