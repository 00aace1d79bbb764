using System.ComponentModel.DataAnnotations;

namespace HueGrains.Grains;

/// <summary>
/// Configuration section <c>Hue:Quotas</c>: how many dossiers and reports one citizen may create, as a bucket that
/// holds this many and refills at this rate per hour (so a burst of the full amount, then one every few minutes).
/// </summary>
public sealed class QuotaOptions
{
    public const string Section = "Hue:Quotas";

    [Range(1, 1_000_000)] public int DossiersPerHour { get; set; } = 30;

    [Range(1, 1_000_000)] public int ReportsPerHour { get; set; } = 30;
}
