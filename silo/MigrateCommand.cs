using HueGrains.Persistence;

namespace HueGrains.Silo;

/// <summary><c>migrate</c>: applies the schema in deploy/sql to the database of <c>ConnectionStrings__Hue</c>; idempotent.</summary>
public static class MigrateCommand
{
    public static async Task<int> RunAsync(IConfiguration configuration)
    {
        var database = configuration.GetConnectionString(HueHost.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(database))
        {
            Console.Error.WriteLine("Set ConnectionStrings__Hue to the PostgreSQL database to migrate.");
            return 2;
        }
        if (SecretSettings.Problems(configuration, signingKeyRequired: false) is { Count: > 0 } problems)
        {
            foreach (var problem in problems) Console.Error.WriteLine(problem);
            return 2;
        }
        using var logs = LoggerFactory.Create(l => l.AddSimpleConsole(c => c.SingleLine = true));
        try
        {
            var applied = await HueDatabase.MigrateAsync(database, logs.CreateLogger("HueGrains.Migrate"), CancellationToken.None);
            Console.WriteLine(applied.Count == 0 ? "Schema is current; nothing to apply." : $"Applied: {string.Join(", ", applied)}");
            return 0;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Migration failed: {ex.Message} {ex.InnerException?.Message}");
            return 1;
        }
    }
}
