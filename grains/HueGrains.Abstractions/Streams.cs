namespace HueGrains;

/// <summary>The one stream provider and its namespaces (DESIGN §4). Keys are commune codes unless said.</summary>
public static class HueStreams
{
    /// <summary>
    /// Not "hue": Orleans keeps a stream provider's pub-sub state in the grain storage of the provider's own name when
    /// there is one, and the durable "hue" storage (System.Text.Json) cannot read that state back, so a rendezvous
    /// grain that moved after a silo died never activated again. Under its own name, pub-sub uses "PubSubStore".
    /// </summary>
    public const string Provider = "hue-streams";
    public const string SensorEvents = "sensor-events";
    public const string FeedbackEvents = "feedback-events";
    public const string CaseEvents = "case-events";

    /// <summary>Alert changes of a commune (raised, acknowledged, level changed, cleared), for live edges such as MQTT.</summary>
    public const string Alerts = "alerts";

    /// <summary>Keyed by <see cref="Keys.City"/>.</summary>
    public const string CommuneIndicators = "commune-indicators";
}
