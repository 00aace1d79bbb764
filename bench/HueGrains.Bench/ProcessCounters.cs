using System.Globalization;

namespace HueGrains.Bench;

/// <summary>Per-process counters from Linux /proc: CPU (utime + stime) and resident memory.</summary>
public static class ProcessCounters
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>CPU seconds the process has used so far, 0 once it is gone.</summary>
    public static double CpuSeconds(int pid)
    {
        var fields = StatFields(pid);
        return fields is null ? 0 : (Field(fields, 14) + Field(fields, 15)) / TicksPerSecond;
    }

    /// <summary>
    /// CPU seconds of a PostgreSQL cluster: its postmaster and every process it started (backends, WAL writer…), those
    /// that ended included (the postmaster's cutime and cstime), so that a backend ending during a load does not take its
    /// time out of the sum.
    /// </summary>
    public static double ClusterCpuSeconds(int postmaster)
    {
        var own = StatFields(postmaster);
        if (own is null) return 0;
        var total = (Field(own, 14) + Field(own, 15) + Field(own, 16) + Field(own, 17)) / TicksPerSecond;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == postmaster) continue;
            var fields = StatFields(pid);
            if (fields is not null && (int)Field(fields, 4) == postmaster) total += (Field(fields, 14) + Field(fields, 15)) / TicksPerSecond;
        }
        return total;
    }

    /// <summary>Context switches of all the process's threads so far (voluntary and not; /proc/PID/task/*/status).</summary>
    public static long ContextSwitches(int pid)
    {
        long total = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (!line.Contains("ctxt_switches:", StringComparison.Ordinal)) continue;
                    total += long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }
        return total;
    }

    /// <summary>Resident set size in bytes (VmRSS).</summary>
    public static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    // /proc/<pid>/stat: "pid (comm) state ppid …"; fields are numbered from 1 as in proc(5), counted after the command name.
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static double Field(string[] afterCommand, int number) => double.Parse(afterCommand[number - 3], CultureInfo.InvariantCulture);
}
