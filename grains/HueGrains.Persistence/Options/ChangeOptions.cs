using System.ComponentModel.DataAnnotations;

namespace HueGrains.Persistence;

/// <summary>Bound from <c>Hue:Changes</c>: the change feed.</summary>
public sealed class ChangeOptions
{
    public const string Section = "Hue:Changes";

    /// <summary>How long dossier, report, sensor and alert changes are kept.</summary>
    [Range(1, 3650)] public int RetentionDays { get; set; } = 30;

    /// <summary>How long commune and city indicator changes are kept (each is a whole snapshot: the newest supersedes the rest).</summary>
    [Range(1, 3650)] public int IndicatorRetentionDays { get; set; } = 1;

    /// <summary>At most one indicator change per commune, and for the city, in this many seconds.</summary>
    [Range(1, 3600)] public int IndicatorSeconds { get; set; } = 2;
}
