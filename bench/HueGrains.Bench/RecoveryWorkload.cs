using System.Net.Http.Headers;
using System.Security.Cryptography;
using HueGrains.Api.Auth;
using HueGrains.Testing;
using Npgsql;

namespace HueGrains.Bench;

/// <summary>W5: kill -9 one of two silo processes under ingest through an API process; count what was acknowledged and stored.</summary>
public static class RecoveryWorkload
{
    public static async Task RunAsync(Report report, BenchSettings settings, ThrowawayPostgres postgres)
    {
        Console.WriteLine("W5 recovery");
        var runs = new List<(double Resume, double Lost, double Recover)>();
        for (var run = 0; run < settings.Runs; run++) runs.Add(await OnceAsync(await postgres.CreateDatabaseAsync()));
        report.Add("W5", "seconds until ingest resumes (longest gap without an ack)", runs.Select(r => r.Resume).ToList(), "s", "≤ 15 s");
        report.Add("W5", "acknowledged readings lost", runs.Select(r => r.Lost).ToList(), "readings", "0");
        report.Add("W5", "seconds until 95% of the previous throughput", runs.Select(r => r.Recover).ToList(), "s", "≤ 15 s");
    }

    private static async Task<(double, double, double)> OnceAsync(string db)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var cluster = $"bench{Guid.NewGuid():N}";
        await using var a = SiloProcess.Start("silo", db, cluster, key);
        await a.WaitReadyAsync();
        await using var b = SiloProcess.Start("silo", db, cluster, key);
        await b.WaitReadyAsync();
        await using var api = SiloProcess.Start("api", db, cluster, key);
        await api.WaitReadyAsync();

        HttpClient Operator()
        {
            var client = Http.Client(api.Http.BaseAddress!.ToString());
            client.Timeout = TimeSpan.FromSeconds(20);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenIssuer.Issue(new HueAuthOptions { SigningKey = key }, Roles.Operator));
            return client;
        }
        var sensors = Enumerable.Range(0, 200).Select(i => $"w5-{i:D3}").ToList();
        using var admin = Operator();
        await Parallel.ForEachAsync(sensors, async (s, ct) => (await admin.PutAsJsonAsync($"/api/v1/sensors/{s}",
            new { kind = "water-level", unit = "m", commune = CityMap.Communes[s.GetHashCode(StringComparison.Ordinal) & 31].Code, latitude = 16.46, longitude = 107.59 }, ct))
            .EnsureSuccessStatusCode());

        var load = new IngestLoad(Operator, sensors, workers: 16);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(6));
        var killedAt = load.Elapsed;
        a.Kill();
        await Task.Delay(TimeSpan.FromSeconds(15));
        await stop.CancelAsync();
        await running;

        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        var stored = new HashSet<string>();
        await using (var query = new NpgsqlCommand("SELECT sensor_id || '|' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') FROM hue_readings", connection))
        await using (var reader = await query.ExecuteReaderAsync())
            while (await reader.ReadAsync()) stored.Add(reader.GetString(0));
        var lost = load.Acked.Count(x => !stored.Contains($"{x.Sensor}|{x.At.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff}"));
        var recover = load.SecondsToRecover(killedAt, 0.95);
        Console.WriteLine($"    acked {load.Acked.Count:N0}, lost {lost}, longest gap {load.LongestGap():F2} s, 95% again after {recover:F1} s");
        return (load.LongestGap(), lost, recover);
    }
}
