using System.Diagnostics.Metrics;

namespace HueGrains;

/// <summary>
/// The platform's own instruments (meter "HueGrains"), exported with Orleans' meters at <c>/metrics</c>. One instance per
/// host, from the host's meter factory, so that hosts sharing a process (tests) keep their own observable callbacks.
/// </summary>
public sealed class HueMetrics
{
    public const string MeterName = "HueGrains";

    public HueMetrics(IMeterFactory factory)
    {
        Meter = factory.Create(MeterName);
        ReadingsAccepted = Meter.CreateCounter<long>("hue.readings.accepted", "{reading}", "Readings acknowledged (durable when PostgreSQL is configured).");
        ReadingsRejected = Meter.CreateCounter<long>("hue.readings.rejected", "{reading}", "Readings refused: invalid, not allowed, rate limited or not durable.");
        IngestAck = Meter.CreateHistogram<double>("hue.ingest.ack.duration", "s", "From a reading's arrival to its acknowledgement.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        StreamFlushLag = Meter.CreateHistogram<double>("hue.stream.flush.lag", "s", "From a commune computing its indicators to the city applying them.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        JournalWriterRestarts = Meter.CreateCounter<long>("hue.journal.writer.restarts", "{restart}",
            "Reading journal writers that failed unexpectedly and were restarted; their appends were answered 503.");
    }

    public Meter Meter { get; }

    /// <summary>Tagged with <c>transport</c>: http, senml or mqtt.</summary>
    public Counter<long> ReadingsAccepted { get; }

    /// <summary>Tagged with <c>transport</c> and <c>reason</c>.</summary>
    public Counter<long> ReadingsRejected { get; }

    public Histogram<double> IngestAck { get; }

    public Histogram<double> StreamFlushLag { get; }

    /// <summary>Tagged with <c>cause</c>: <c>commit</c> (failed while committing a batch) or <c>loop</c> (anywhere else).</summary>
    public Counter<long> JournalWriterRestarts { get; }

    /// <summary>Counts one ingest call's outcome per reading.</summary>
    public void Record(string transport, IngestResult result, double seconds)
    {
        var tag = new KeyValuePair<string, object?>("transport", transport);
        if (result.Accepted > 0) ReadingsAccepted.Add(result.Accepted, tag);
        if (result.Rejected > 0) ReadingsRejected.Add(result.Rejected, tag, new("reason", "invalid"));
        IngestAck.Record(seconds, tag);
    }

    public void Rejected(string transport, string reason, int readings = 1) =>
        ReadingsRejected.Add(readings, new KeyValuePair<string, object?>("transport", transport), new("reason", reason));
}
