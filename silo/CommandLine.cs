namespace HueGrains.Silo;

public static class CommandLine
{
    /// <summary>
    /// Splits the arguments into a leading command (<c>token</c>) and configuration settings, turning the short forms
    /// <c>--role silo</c> and <c>--demo</c> into <c>--Hue:Role=silo</c> and <c>--Hue:Demo=true</c>.
    /// </summary>
    public static (string? Command, string[] Settings) Parse(string[] args)
    {
        var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : null;
        if (command is not null) return (command, []);
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--demo": settings.Add("--Hue:Demo=true"); break;
                case "--role" when i + 1 < args.Length: settings.Add($"--Hue:Role={args[++i]}"); break;
                default: settings.Add(args[i]); break;
            }
        }
        return (null, [.. settings]);
    }
}
