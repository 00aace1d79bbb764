namespace HueGrains;

/// <summary>VN_AQI bands (Decision 1459/QĐ-TCMT, 2019).</summary>
public enum AqiBand { Good = 1, Moderate, Poor, Bad, VeryBad, Hazardous }

public static class VnAqi
{
    // PM2.5 concentration breakpoints (µg/m³) and the AQI value at each, from Decision 1459/QĐ-TCMT.
    private static readonly double[] Pm25Breakpoints = [0, 25, 50, 80, 150, 250, 350, 500];
    private static readonly double[] AqiBreakpoints = [0, 50, 100, 150, 200, 300, 400, 500];

    /// <summary>The VN_AQI of a PM2.5 concentration, by linear interpolation between breakpoints (capped at 500).</summary>
    public static int FromPm25(double concentration)
    {
        if (concentration <= 0) return 0;
        for (var i = 1; i < Pm25Breakpoints.Length; i++)
        {
            if (concentration <= Pm25Breakpoints[i])
            {
                var (c0, c1) = (Pm25Breakpoints[i - 1], Pm25Breakpoints[i]);
                var (a0, a1) = (AqiBreakpoints[i - 1], AqiBreakpoints[i]);
                return (int)Math.Round(a0 + (a1 - a0) * (concentration - c0) / (c1 - c0), MidpointRounding.AwayFromZero);
            }
        }
        return 500;
    }

    public static AqiBand Band(int aqi) => aqi switch
    {
        <= 50 => AqiBand.Good,
        <= 100 => AqiBand.Moderate,
        <= 150 => AqiBand.Poor,
        <= 200 => AqiBand.Bad,
        <= 300 => AqiBand.VeryBad,
        _ => AqiBand.Hazardous,
    };
}
