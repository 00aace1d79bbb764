using System.Collections.Concurrent;
using System.Diagnostics;

namespace HueGrains.Testing;

/// <summary>
/// A program the tests drive from outside .NET (Debian's <c>chromium</c>, <c>mosquitto_pub</c>, PostgreSQL's <c>initdb</c>):
/// found on the machine, or else installed once with apt-get — as root, or through passwordless <c>sudo -n</c> — so that
/// <c>dotnet test HueGrains.sln</c> passes on a fresh machine. Where it cannot be installed, the test fails with one line
/// saying what to install. Parallel test processes install one at a time (a lock file in /tmp, and apt's own lock).
/// </summary>
public static class RequiredTool
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Located = new(StringComparer.Ordinal);

    /// <summary>The full path of <paramref name="tool"/> in a PATH-style list of directories (the process's PATH by default), or null.</summary>
    public static string? OnPath(string tool, string? path = null) =>
        (path ?? Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(IsExecutable);

    /// <summary>
    /// Where <paramref name="tool"/> is — what <paramref name="locate"/> answers, the PATH by default — after installing the
    /// Debian <paramref name="package"/> that holds it if it is missing. <paramref name="install"/> (apt-get by default)
    /// answers null once the package is installed, otherwise why it could not be. Decided once per tool and process.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tool is missing and could not be installed; the message is one line.</exception>
    public static string Ensure(string tool, string package, Func<string?>? locate = null, Func<string, string?>? install = null)
    {
        var find = locate ?? (() => OnPath(tool));
        return Located.GetOrAdd(tool, _ => new Lazy<string>(() => LocateOrInstall(tool, package, find, install ?? Apt.Install))).Value;
    }

    /// <summary><see cref="Ensure"/> off the test's thread: installing can take a minute.</summary>
    public static Task<string> EnsureAsync(string tool, string package) => Task.Run(() => Ensure(tool, package));

    /// <summary>The one line a test fails with when <paramref name="tool"/> is missing and could not be installed.</summary>
    public static string Missing(string tool, string package, string reason) =>
        OneLine($"{tool} is needed by this test and is not installed, and installing it failed ({reason}): " +
            $"install the Debian package {package} (sudo apt-get install {package}), or run the tests as root or with passwordless sudo.");

    private static string LocateOrInstall(string tool, string package, Func<string?> locate, Func<string, string?> install)
    {
        if (locate() is { } found) return found;
        var failure = install(package);
        if (failure is null && locate() is { } installed) return installed;
        throw new InvalidOperationException(Missing(tool, package, failure ?? $"{package} is installed but has no {tool}"));
    }

    private static bool IsExecutable(string file) =>
        File.Exists(file) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>apt-get, run as root or through <c>sudo -n</c>, one installation at a time on the machine.</summary>
    private static class Apt
    {
        private const string LockFile = "/tmp/huegrains-apt.lock";
        private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(15);

        public static string? Install(string package)
        {
            if (!OperatingSystem.IsLinux() || OnPath("apt-get") is null) return "apt-get is not available on this machine";
            string[] asRoot;
            if (Environment.IsPrivilegedProcess) asRoot = [];
            else if (OnPath("sudo") is { } sudo && Run([sudo, "-n", "true"]).Code == 0) asRoot = [sudo, "-n"];
            else return "not root, and sudo is missing or asks for a password";

            using var machineWide = WaitForLock();
            if (IsInstalled(package)) return null; // another test process installed it while this one waited
            var apt = (string[])[.. asRoot, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-q", "-y", "-o", "DPkg::Lock::Timeout=600"];
            if (!HasPackageLists())
            {
                var updated = Run([.. apt, "update"]);
                if (updated.Code != 0) return $"apt-get update: {updated.Reason}";
            }
            var installed = Run([.. apt, "install", package]);
            if (installed.Code != 0)
            {
                // Stale package lists name versions the mirror no longer has: refresh them once and try again.
                var updated = Run([.. apt, "update"]);
                if (updated.Code != 0) return $"apt-get update: {updated.Reason}";
                installed = Run([.. apt, "install", package]);
            }
            return installed.Code == 0 ? null : $"apt-get install {package}: {installed.Reason}";
        }

        private static bool IsInstalled(string package) =>
            Run(["dpkg-query", "-W", "-f=${Status}", package]) is { Code: 0, Output: var status } && status.Trim() == "install ok installed";

        private static bool HasPackageLists() =>
            Directory.Exists("/var/lib/apt/lists") && Directory.EnumerateFiles("/var/lib/apt/lists", "*_Packages*").Any();

        /// <summary>An exclusive lock on a file in /tmp (flock), so parallel test processes do not run apt-get at once.</summary>
        private static FileStream? WaitForLock()
        {
            var deadline = DateTime.UtcNow + CommandTimeout;
            while (true)
            {
                try
                {
                    return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.Read, FileShare.None);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(250);
                }
                catch (UnauthorizedAccessException)
                {
                    return null; // someone else's lock file: apt's own lock (DPkg::Lock::Timeout) still serialises
                }
            }
        }

        /// <summary>Runs a command to the end: its exit code, its output, and the line that explains a failure (apt's "E:" line, else the last).</summary>
        private static (int Code, string Output, string Reason) Run(string[] command)
        {
            var start = new ProcessStartInfo(command[0])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in command.Skip(1)) start.ArgumentList.Add(arg);
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return (-1, "", $"{command[0]}: {e.Message}");
            }
            using (process)
            {
                process.StandardInput.Close();
                var output = process.StandardOutput.ReadToEndAsync();
                var error = process.StandardError.ReadToEndAsync();
                if (!process.WaitForExit(CommandTimeout))
                {
                    process.Kill(entireProcessTree: true);
                    return (-1, "", $"{string.Join(' ', command)} did not finish within {CommandTimeout.TotalMinutes} min");
                }
                var lines = (error.Result + "\n" + output.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var reason = lines.FirstOrDefault(l => l.StartsWith("E:", StringComparison.Ordinal)) ?? lines.LastOrDefault() ?? $"exit code {process.ExitCode}";
                return (process.ExitCode, output.Result, reason);
            }
        }
    }
}
