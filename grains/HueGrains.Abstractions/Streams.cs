namespace HueGrains;

/// <summary>The one stream provider and its namespaces (DESIGN §4). Keys are commune codes unless said.</summary>
public static class HueStreams
{
    public const string Provider = "hue";
    public const string SensorEvents = "sensor-events";
    public const string FeedbackEvents = "feedback-events";
    public const string CaseEvents = "case-events";

    /// <summary>Alert changes of a commune (raised, acknowledged, level changed, cleared), for live edges such as MQTT.</summary>
    public const string Alerts = "alerts";

    /// <summary>Keyed by <see cref="Keys.City"/>.</summary>
    public const string CommuneIndicators = "commune-indicators";
}
