namespace HueGrains;

/// <summary>The one stream provider and its namespaces (DESIGN §4). Keys are commune codes unless said.</summary>
public static class HueStreams
{
    /// <summary>
    /// The upward flow (sensor, case and feedback events, commune indicators): implicit subscriptions only, so no stream
    /// keeps a pub-sub record of every dossier and report that ever published (that grew with history). Not named "hue":
    /// Orleans would keep a provider's pub-sub state in the grain storage of the same name, which is durable here.
    /// </summary>
    public const string Provider = "hue-streams";

    /// <summary>Alert changes, which edges (the MQTT broker in an API process) subscribe to explicitly.</summary>
    public const string AlertsProvider = "hue-alerts";

    public const string SensorEvents = "sensor-events";
    public const string FeedbackEvents = "feedback-events";
    public const string CaseEvents = "case-events";

    /// <summary>Alert changes of a commune (raised, acknowledged, level changed, cleared), for live edges such as MQTT.</summary>
    public const string Alerts = "alerts";

    /// <summary>A device key rotated or revoked (<see cref="DeviceKeyChanged"/>), on the alerts provider; keyed by <see cref="Keys.City"/>.</summary>
    public const string DeviceKeyChanges = "device-key-changes";

    /// <summary>Keyed by <see cref="Keys.City"/>.</summary>
    public const string CommuneIndicators = "commune-indicators";
}
