using HueGrains.Testing;
using Npgsql;

namespace HueGrains.Bench;

/// <summary>
/// What a user might build instead: a plain ASP.NET Core service on PostgreSQL, one INSERT per reading, and indicators
/// computed by a SQL GROUP BY on every query. Same machine, same load generator.
/// </summary>
public sealed class Baseline : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly NpgsqlDataSource _db;
    private readonly List<(string Id, string Commune)> _sensors;
    private readonly DateTimeOffset _origin = DateTimeOffset.UtcNow.AddHours(-12);
    private int _epoch;

    private Baseline(WebApplication app, NpgsqlDataSource db, List<(string, string)> sensors, string baseUrl)
    {
        (_app, _db, _sensors, BaseUrl) = (app, db, sensors, baseUrl);
    }

    public string BaseUrl { get; }

    public static async Task<Baseline> StartAsync(string connectionString, int sensors)
    {
        var db = new NpgsqlDataSourceBuilder(connectionString + ";Maximum Pool Size=100").Build();
        await using (var schema = db.CreateCommand(
            """
            CREATE TABLE sensors (id text PRIMARY KEY, commune text NOT NULL);
            CREATE TABLE readings (sensor_id text NOT NULL, at timestamptz NOT NULL, value double precision NOT NULL, PRIMARY KEY (sensor_id, at));
            """))
            await schema.ExecuteNonQueryAsync();
        var list = Enumerable.Range(0, sensors).Select(i => ($"base-{i:D6}", CityMap.Communes[i % CityMap.Communes.Count].Code)).ToList();
        await using (var connection = await db.OpenConnectionAsync())
        await using (var copy = await connection.BeginBinaryImportAsync("COPY sensors (id, commune) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (id, commune) in list) await copy.WriteRowAsync(default, id, commune);
            await copy.CompleteAsync();
        }

        var port = ThrowawayPostgres.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapPost("/readings/{sensor}", async (string sensor, ReadingBody reading) =>
        {
            await using var insert = db.CreateCommand("INSERT INTO readings (sensor_id, at, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING");
            insert.Parameters.Add(new NpgsqlParameter { Value = sensor });
            insert.Parameters.Add(new NpgsqlParameter { Value = reading.At.ToUniversalTime() });
            insert.Parameters.Add(new NpgsqlParameter { Value = reading.Value });
            await insert.ExecuteNonQueryAsync();
            return TypedResults.Accepted((string?)null);
        });
        app.MapGet("/communes/{code}", async (string code) =>
        {
            await using var query = db.CreateCommand(
                """
                SELECT s.commune, count(DISTINCT r.sensor_id), avg(r.value), max(r.value)
                  FROM readings r JOIN sensors s ON s.id = r.sensor_id
                 WHERE s.commune = $1 GROUP BY s.commune
                """);
            query.Parameters.Add(new NpgsqlParameter { Value = code });
            await using var reader = await query.ExecuteReaderAsync();
            return await reader.ReadAsync()
                ? TypedResults.Ok(new { code, sensorsReporting = reader.GetInt64(1), mean = reader.GetDouble(2), max = reader.GetDouble(3) })
                : TypedResults.Ok(new { code, sensorsReporting = 0L, mean = 0.0, max = 0.0 });
        });
        await app.StartAsync();
        return new Baseline(app, db, list, $"http://127.0.0.1:{port}");
    }

    public async Task<LoadResult> SinglesAsync(TimeSpan duration, double? rate = null)
    {
        using var http = Http.Client(BaseUrl);
        var slice = _origin.AddMinutes(10 * Interlocked.Increment(ref _epoch));
        return await Load.RunAsync(duration, 64, async (w, n) =>
        {
            var sensor = _sensors[(int)((w + n * 64) % _sensors.Count)].Id;
            using var response = await http.PostAsJsonAsync($"/readings/{sensor}", new ReadingBody(slice.AddTicks(n * TimeSpan.TicksPerMillisecond / 10 + w), 1.5));
            return response.StatusCode == System.Net.HttpStatusCode.Accepted ? 1 : 0;
        }, rate);
    }

    public async Task<LoadResult> CommuneQueriesAsync(TimeSpan duration, double backgroundRate)
    {
        var background = SinglesAsync(duration, backgroundRate);
        using var http = Http.Client(BaseUrl);
        var result = await Load.RunAsync(duration, 16, async (w, n) =>
        {
            using var response = await http.GetAsync($"/communes/{CityMap.Communes[(int)((w + n) % CityMap.Communes.Count)].Code}");
            return response.IsSuccessStatusCode ? 1 : 0;
        });
        await background;
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _db.DisposeAsync();
    }

    public sealed record ReadingBody(DateTimeOffset At, double Value);
}
