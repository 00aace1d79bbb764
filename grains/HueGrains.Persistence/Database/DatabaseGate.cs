using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HueGrains.Persistence;

/// <summary>
/// The first step of a durable silo's start: wait until PostgreSQL answers and the schema is current, before the
/// Orleans providers read their queries from it. While it waits the process stays up and /health/ready says no.
/// </summary>
public sealed class DatabaseGate(IOptions<PostgresOptions> options, ILogger<DatabaseGate> log) : ILifecycleParticipant<ISiloLifecycle>
{
    public bool Open { get; private set; }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DatabaseGate), ServiceLifecycleStage.First, async ct =>
        {
            await HueDatabase.WaitAndMigrateAsync(options.Value.ConnectionString, log, ct);
            Open = true;
        });
}
