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

        Assert.Equal(["001_orleans_query.sql", "002_membership.sql", "003_grain_state.sql", "004_reminders.sql", "005_readings.sql", "006_indicator_history.sql", "007_projections.sql",
            "008_personal_data_reads.sql", "009_sensor_keys.sql", "010_changes.sql", "011_boundaries.sql", "012_feedback_photos.sql", "013_notifications.sql", "014_notification_retention.sql", "015_change_types.sql", "016_sensor_saved_xid.sql", "017_sensor_saved_index.sql"], first);
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
    public async Task The_personal_data_access_log_keeps_every_entry_pages_newest_first_and_refuses_changes()
    {
        var db = await postgres.CreateDatabaseAsync();
        await HueDatabase.MigrateAsync(db, NullLogger.Instance, CancellationToken.None);
        await using var source = NpgsqlDataSource.Create(db);
        var log = new PostgresAccessLog(source);
        var start = new DateTimeOffset(2026, 11, 30, 1, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 1_500; i++) // more than the 1,000 the citizen grain used to keep
            await log.AppendAsync("c-audit", new AccessEntry(start.AddSeconds(i / 2), "official", "19774", $"official-{i}", AccessPurposes.CaseHandling, null), CancellationToken.None);

        var seen = new List<AccessEntry>();
        PageCursor? cursor = null;
        while (true)
        {
            var page = await log.ReadAsync("c-audit", cursor, 400, CancellationToken.None);
            seen.AddRange(page);
            if (page.Count < 400) break;
            cursor = new PageCursor(page[^1].At, page[^1].EntryId);
        }
        Assert.Equal(1_500, seen.Select(e => e.EntryId).Distinct().Count());
        Assert.Equal("official-1499", seen[0].ReaderAccount);
        Assert.Equal(seen.OrderByDescending(e => e.At).ThenByDescending(e => e.EntryId, StringComparer.Ordinal), seen);

        await Assert.ThrowsAsync<PostgresException>(() => ScalarsAsync(db, "DELETE FROM hue_personal_data_reads RETURNING 1"));
        await Assert.ThrowsAsync<PostgresException>(() => ScalarsAsync(db, "UPDATE hue_personal_data_reads SET purpose = 'x' RETURNING 1"));
        Assert.Equal("1500", (await ScalarsAsync(db, "SELECT count(*) FROM hue_personal_data_reads")).Single());
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
