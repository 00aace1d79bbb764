using HueGrains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Storage;

namespace HueGrains.IntegrationTests;

/// <summary>Each Orleans ADO.NET provider against a real PostgreSQL, on the project's own schema.</summary>
[Collection(PostgresCollection.Name)]
public class ProviderTests(PostgresServer postgres)
{
    [Fact]
    public async Task Migrations_applied_twice_change_nothing_and_register_every_provider_query()
    {
        var db = await postgres.CreateDatabaseAsync();
        var first = await HueDatabase.MigrateAsync(db, NullLogger.Instance, CancellationToken.None);
        var schemaAfterFirst = await SchemaAsync(db);
        var second = await HueDatabase.MigrateAsync(db, NullLogger.Instance, CancellationToken.None);

        Assert.Equal(["001_orleans_query.sql", "002_membership.sql", "003_grain_state.sql", "004_reminders.sql", "005_readings.sql", "006_indicator_history.sql", "007_projections.sql"], first);
        Assert.Empty(second);
        Assert.Equal(schemaAfterFirst, await SchemaAsync(db));

        string[] keys =
        [
            "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey", "MembershipReadAllKey",
            "MembershipReadRowKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey", "CleanupDefunctSiloEntriesKey",
            "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey",
            "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
            "DeleteReminderRowKey", "DeleteReminderRowsKey",
        ];
        var registered = await ScalarsAsync(db, "SELECT QueryKey FROM OrleansQuery");
        Assert.Empty(keys.Except(registered));
    }

    [Fact]
    public async Task Grain_storage_detects_an_etag_conflict_and_loses_no_update()
    {
        await using var platform = await DurablePlatform.StartAsync(await postgres.CreateDatabaseAsync());
        var storage = platform.App.Services.GetRequiredKeyedService<IGrainStorage>("hue");
        var id = GrainId.Create("probe", $"etag-{Guid.NewGuid():N}");

        var first = new GrainState<Probe>(new Probe { Value = 1 });
        await storage.WriteStateAsync("probe", id, first);
        var blind = new GrainState<Probe>(new Probe { Value = 99 }); // a second activation that never read the row
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("probe", id, blind));

        var second = new GrainState<Probe>(new Probe { Value = 2 }) { ETag = first.ETag };
        await storage.WriteStateAsync("probe", id, second);
        var stale = new GrainState<Probe>(new Probe { Value = 3 }) { ETag = first.ETag };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("probe", id, stale));

        var read = new GrainState<Probe>();
        await storage.ReadStateAsync("probe", id, read);
        Assert.Equal(2, read.State!.Value);
        Assert.Equal(second.ETag, read.ETag);

        await storage.ClearStateAsync("probe", id, read);
        var cleared = new GrainState<Probe>();
        await storage.ReadStateAsync("probe", id, cleared);
        Assert.Equal(0, cleared.State!.Value);
        Assert.Equal(read.ETag, cleared.ETag);
    }

    [Fact]
    public async Task A_reminder_registered_in_PostgreSQL_fires()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var platform = await DurablePlatform.StartAsync(db);
        var key = Guid.NewGuid().ToString("N");
        await platform.Grains.GetGrain<IReminderProbeGrain>(key).Arm();

        Assert.Single(await ScalarsAsync(db, "SELECT reminder_name FROM hue_reminders"));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (ReminderProbeGrain.Fired(key) == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.True(ReminderProbeGrain.Fired(key) > 0, "the reminder did not fire within 30 s");
    }

    private static Task<List<string>> SchemaAsync(string db) => ScalarsAsync(db,
        """
        SELECT table_name || '.' || column_name || ':' || data_type FROM information_schema.columns WHERE table_schema = 'public'
        UNION ALL SELECT 'query:' || QueryKey || ':' || md5(QueryText) FROM OrleansQuery
        UNION ALL SELECT 'function:' || proname || ':' || md5(prosrc) FROM pg_proc WHERE proname LIKE 'hue_%'
        ORDER BY 1
        """);

    internal static async Task<List<string>> ScalarsAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        return values;
    }

    public sealed class Probe
    {
        public int Value { get; set; }
    }
}
