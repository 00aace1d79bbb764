using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HueGrains.Api;
using Npgsql;

namespace HueGrains.IntegrationTests;

/// <summary>
/// Boundaries and routing on PostgreSQL, the twin of the embedded GeoApiTests: two adjacent squares, a pin in each routed
/// to its commune, a pin on no boundary waiting in triage, the routing flag right; boundaries that outlive the silo, and
/// a geo query served by the SQL filter.
/// </summary>
[Collection(PostgresCollection.Name)]
public class GeoRoutingTests(PostgresServer postgres)
{
    private const string West = "19753", East = "19789";

    private static string Square(double minLon, double minLat, double maxLon, double maxLat) => JsonSerializer.Serialize(new
    {
        type = "Polygon",
        coordinates = new[] { new[] { new[] { minLon, minLat }, [maxLon, minLat], [maxLon, maxLat], [minLon, maxLat], [minLon, minLat] } },
    });

    private static async Task<JsonElement> ReportAsync(DurablePlatform platform, double lat, double lon)
    {
        var response = await platform.Client(Roles.Citizen, citizenId: $"c-{Guid.NewGuid():N}").PostAsJsonAsync("/api/v1/feedback",
            new { category = "urban-order", description = "Ổ gà / pothole", latitude = lat, longitude = lon }, HueJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task Pins_are_routed_by_durable_boundaries_and_a_pin_on_none_waits_in_triage()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using (var first = await DurablePlatform.StartAsync(database))
        {
            foreach (var (commune, square) in new[] { (West, Square(107.56, 16.46, 107.58, 16.48)), (East, Square(107.58, 16.46, 107.60, 16.48)) })
            {
                var put = await first.Client(Roles.Operator).PutAsync($"/api/v1/communes/{commune}/boundary", new StringContent(square, Encoding.UTF8, "application/geo+json"));
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            }
            var west = await ReportAsync(first, 16.47, 107.57);
            Assert.Equal(West, west.GetProperty("report").GetProperty("commune").GetString());
            Assert.Equal("boundary", west.GetProperty("report").GetProperty("routing").GetString());
        }

        await using var platform = await DurablePlatform.StartAsync(database); // a new silo: the boundaries come from the table
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) FROM hue_commune_boundaries", connection);
            Assert.Equal(2L, await count.ExecuteScalarAsync());
        }
        var east = await ReportAsync(platform, 16.47, 107.59);
        Assert.Equal(East, east.GetProperty("report").GetProperty("commune").GetString());
        Assert.Equal("boundary", east.GetProperty("report").GetProperty("routing").GetString());
        var approximate = await ReportAsync(platform, 16.455, 107.545);
        Assert.Equal("19774", approximate.GetProperty("report").GetProperty("commune").GetString());
        Assert.Equal("approximate", approximate.GetProperty("report").GetProperty("routing").GetString());
        var far = await ReportAsync(platform, 10.7769, 106.7009);
        Assert.Equal(JsonValueKind.Null, far.GetProperty("report").GetProperty("commune").ValueKind);
        Assert.Equal(JsonValueKind.Null, far.GetProperty("report").GetProperty("routing").ValueKind);

        var triage = JsonDocument.Parse(await platform.Client(Roles.Operator).GetStringAsync("/api/v1/feedback-triage")).RootElement
            .EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal([far.GetProperty("id").GetString()], triage);

        // The SQL geo filter: a 300 m circle around the east pin finds it and not the west one (2 km away).
        var near = JsonDocument.Parse(await platform.Client().GetStringAsync("/api/v1/feedback?near=16.47,107.59&radius=300")).RootElement;
        var ids = near.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Contains(east.GetProperty("id").GetString(), ids);
        Assert.DoesNotContain(far.GetProperty("id").GetString(), ids);
        Assert.Single(ids);
    }
}
