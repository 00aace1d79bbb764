namespace HueGrains;

/// <summary>
/// The clock of the domain (due dates, overdue, offline sensors), registered under its own key so tests can fake it
/// without touching the TimeProvider that Orleans itself runs on.
/// </summary>
public static class HueTime
{
    public const string Key = "hue";
}
