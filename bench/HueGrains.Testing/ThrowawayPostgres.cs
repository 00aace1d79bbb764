using System.Diagnostics;
using Npgsql;

namespace HueGrains.Testing;

/// <summary>
/// A throwaway PostgreSQL for the test run, from the machine's own binaries: a temp directory, a free loopback port,
/// run as the postgres user when the tests run as root (initdb refuses root). Removed when the run ends. Debian's
/// postgresql is installed on first use if the machine has none (see <see cref="RequiredTool"/>).
/// </summary>
public sealed class ThrowawayPostgres(params string[] settings) : IAsyncDisposable
{
    /// <summary>Server settings beyond the throwaway defaults (fsync off, 500 connections), as <c>name=value</c>.</summary>
    private readonly string _settings = string.Concat(settings.Select(s => $" -c {s}"));
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"hue-it-pg-{Guid.NewGuid():N}");
    private readonly string _bin = FindBinaries();

    public int Port { get; } = LoopbackPorts.Free();

    /// <summary>The postmaster's process id (its backends are its children), for counting the cluster's CPU in /proc.</summary>
    public int ServerProcessId => int.Parse(File.ReadLines(Path.Combine(_dataDir, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Database=postgres;Username=hue;Pooling=false";

    public async Task StartNewAsync()
    {
        Directory.CreateDirectory(_dataDir);
        if (IsRoot) await Run("chown", "postgres:postgres", _dataDir);
        await AsOwner("initdb", "-D", _dataDir, "-U", "hue", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        await StartAsync();
    }

    public Task StartAsync() => AsOwner("pg_ctl", "-D", _dataDir, "-l", Path.Combine(_dataDir, "server.log"), "-w", "-t", "30",
        "-o", $"-p {Port} -k {_dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=500{_settings}", "start");

    /// <summary>Stops the server at once (clients are cut off), as a crash or restart would.</summary>
    public Task StopAsync() => AsOwner("pg_ctl", "-D", _dataDir, "-w", "-m", "fast", "stop");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await AsOwner("pg_ctl", "-D", _dataDir, "-w", "-m", "immediate", "stop");
        }
        finally
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    /// <summary>A fresh, empty database for one test class.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"hue_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={Port};Database={name};Username=hue";
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task AsOwner(string tool, params string[] args) =>
        IsRoot ? Run("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args]) : Run(Path.Combine(_bin, tool), args);

    private static async Task Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await output}{await error}");
    }

    private static string FindBinaries() => RequiredTool.Ensure("initdb", "postgresql", InstalledBinaries);

    /// <summary>The directory holding initdb and pg_ctl: on the PATH, else the newest of Debian's /usr/lib/postgresql/N/bin.</summary>
    private static string? InstalledBinaries()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "initdb")));
        if (onPath is not null) return onPath;
        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal).Select(d => Path.Combine(d, "bin"))
                .FirstOrDefault(d => File.Exists(Path.Combine(d, "pg_ctl")) && File.Exists(Path.Combine(d, "initdb")))
            : null;
    }
}
