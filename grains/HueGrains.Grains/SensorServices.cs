using HueGrains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HueGrains.Grains;

/// <summary>
/// What every sensor activation uses, in one singleton: a city has a million sensors, and each reference a grain keeps
/// of its own is 8 bytes per sensor (measured per activation by W4).
/// </summary>
public sealed class SensorServices(
    IReadingJournal journal,
    SensorOutbox outbox,
    IOptions<HistoryOptions> history,
    IOptions<IngestOptions> ingest,
    [FromKeyedServices(HueTime.Key)] TimeProvider clock,
    Geo.CommuneLocator locator,
    ILogger<SensorGrain> log)
{
    public IReadingJournal Journal { get; } = journal;
    public SensorOutbox Outbox { get; } = outbox;
    public HistoryOptions History { get; } = history.Value;
    public IngestOptions Ingest { get; } = ingest.Value;
    public TimeProvider Clock { get; } = clock;
    public Geo.CommuneLocator Locator { get; } = locator;
    public ILogger<SensorGrain> Log { get; } = log;
}
