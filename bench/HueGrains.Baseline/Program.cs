using Npgsql;

// dotnet HueGrains.Baseline.dll --port P --db "Host=…" --sensors N
// One INSERT per reading (POST /readings/{sensor}, 202), indicators by a SQL GROUP BY per query (GET /communes/{code});
// sensors are base-000000… spread over communes c00…c39. Prints READY once listening.
var port = int.Parse(Arg("--port"), System.Globalization.CultureInfo.InvariantCulture);
var sensors = int.Parse(Arg("--sensors"), System.Globalization.CultureInfo.InvariantCulture);
await using var db = new NpgsqlDataSourceBuilder(Arg("--db") + ";Maximum Pool Size=100").Build();
await using (var schema = db.CreateCommand(
    """
    CREATE TABLE IF NOT EXISTS sensors (id text PRIMARY KEY, commune text NOT NULL);
    CREATE TABLE IF NOT EXISTS readings (sensor_id text NOT NULL, at timestamptz NOT NULL, value double precision NOT NULL, PRIMARY KEY (sensor_id, at));
    """))
    await schema.ExecuteNonQueryAsync();
await using (var connection = await db.OpenConnectionAsync())
await using (var copy = await connection.BeginBinaryImportAsync("COPY sensors (id, commune) FROM STDIN (FORMAT BINARY)"))
{
    for (var i = 0; i < sensors; i++) await copy.WriteRowAsync(default, $"base-{i:D6}", $"c{i % 40:D2}");
    await copy.CompleteAsync();
}

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
        SELECT count(DISTINCT r.sensor_id), avg(r.value), max(r.value)
          FROM readings r JOIN sensors s ON s.id = r.sensor_id
         WHERE s.commune = $1
        """);
    query.Parameters.Add(new NpgsqlParameter { Value = code });
    await using var reader = await query.ExecuteReaderAsync();
    await reader.ReadAsync();
    return TypedResults.Ok(new CommuneFigures(code, reader.GetInt64(0), reader.IsDBNull(1) ? 0 : reader.GetDouble(1), reader.IsDBNull(2) ? 0 : reader.GetDouble(2)));
});
await app.StartAsync();
Console.WriteLine("READY");
await app.WaitForShutdownAsync();

string Arg(string name) => args[Array.IndexOf(args, name) + 1];

internal sealed record ReadingBody(DateTimeOffset At, double Value);

internal sealed record CommuneFigures(string Code, long SensorsReporting, double Mean, double Max);
