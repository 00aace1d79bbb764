using System.ComponentModel.DataAnnotations;

namespace HueGrains.Grains;

/// <summary>Configuration section <c>Hue:Communes</c>.</summary>
public sealed class CommuneOptions
{
    public const string Section = "Hue:Communes";

    /// <summary>
    /// How often a commune reloads what is live from the projections (one query). A stream event lost with a dead silo
    /// is repaired within this, plus the few seconds a silo takes to be declared dead: the README promises 30 s.
    /// </summary>
    [Range(1, 300)]
    public int ReconcileSeconds { get; set; } = 10;

    /// <summary>
    /// How often a reconcile reloads every sensor of the commune; the ones between read only the sensors saved since
    /// the last read.
    /// </summary>
    [Range(1, 1440)]
    public int FullReconcileMinutes { get; set; } = 10;
}
