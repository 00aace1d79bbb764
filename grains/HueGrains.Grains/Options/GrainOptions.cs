using System.ComponentModel.DataAnnotations;

namespace HueGrains.Grains;

/// <summary>Configuration section <c>Hue:Grains</c>.</summary>
public sealed class GrainOptions
{
    public const string Section = "Hue:Grains";

    /// <summary>
    /// An activation idle this long is collected (Orleans' collection age): dossiers, reports, citizens and sensors that
    /// nobody uses leave memory and come back from storage on their next call.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);
}
