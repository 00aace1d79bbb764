using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HueGrains.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    /// <summary>
    /// The durable mode's own storage on PostgreSQL: the database gate (wait, then migrate), the data source, the reading
    /// journal and its retention, the indicator store, the projections and the personal-data access log. They replace the memory defaults registered before them.
    /// </summary>
    public static IServiceCollection AddHuePersistence(this IServiceCollection services, string connectionString)
    {
        services.Configure<PostgresOptions>(o => o.ConnectionString = connectionString);
        services.AddSingleton<DatabaseGate>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<DatabaseGate>());
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        services.AddSingleton<PostgresReadingJournal>();
        services.AddSingleton<IReadingJournal>(sp => sp.GetRequiredService<PostgresReadingJournal>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<PostgresReadingJournal>());
        services.AddHostedService<ReadingRetention>();
        services.AddSingleton<PostgresIndicatorStore>();
        services.AddSingleton<IIndicatorStore>(sp => sp.GetRequiredService<PostgresIndicatorStore>());
        services.AddSingleton<IProjectionStore, PostgresProjectionStore>();
        services.AddSingleton<IAccessLog, PostgresAccessLog>();
        services.AddSingleton<IChangeFeed, PostgresChangeFeed>();
        services.AddSingleton<IPhotoStore, PostgresPhotoStore>();
        services.AddSingleton<INotificationStore, PostgresNotificationStore>();
        services.AddSingleton<IBoundaryStore, PostgresBoundaryStore>();
        return services;
    }
}
