using HueGrains.Silo;

// Commands and flags the configuration system does not take as key/value pairs.
var (command, settings) = CommandLine.Parse(args);
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = settings, ContentRootPath = AppContext.BaseDirectory });
// Secrets come from the environment or from files: one file per key (Docker and Kubernetes secrets), e.g.
// /run/secrets/ConnectionStrings__Hue or /run/secrets/Hue__Auth__SigningKey.
builder.Configuration.AddKeyPerFile(Environment.GetEnvironmentVariable("HUE_SECRETS_DIR") ?? "/run/secrets", optional: true);

if (command == "token") return TokenCommand.Run(args, builder.Configuration);
if (command == "migrate") return await MigrateCommand.RunAsync(builder.Configuration);
if (command is not null)
{
    Console.Error.WriteLine($"Unknown command '{command}'. Commands: token, migrate. Options: --role all|silo|api, --demo.");
    return 2;
}

try
{
    builder.AddHuePlatform();
}
catch (UnsafeSettingsException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
var app = builder.Build();
app.MapHuePlatform();
await app.RunAsync();
return 0;

public partial class Program;
