using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace HueGrains.Testing;

/// <summary>
/// Continuous ingest from several workers, each owning its sensors, one reading per request with a unique timestamp.
/// Records every acknowledged (sensor, time) and every answer, so a test can compare acks with what was stored.
/// </summary>
public sealed class IngestLoad(Func<HttpClient> client, IReadOnlyList<string> sensors, int workers)
{
    private readonly ConcurrentBag<(string Sensor, DateTimeOffset At)> _acked = [];
    private readonly ConcurrentBag<double> _ackTimes = [];
    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public IReadOnlyCollection<(string Sensor, DateTimeOffset At)> Acked => _acked;
    public IReadOnlyDictionary<int, int> Statuses => _statuses;
    public double Elapsed => _clock.Elapsed.TotalSeconds;

    public Task RunAsync(CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, workers).Select(w => WorkAsync(w, stop)));

    /// <summary>The longest stretch (seconds) without any acknowledgement, between the first and the last one.</summary>
    public double LongestGap()
    {
        var times = _ackTimes.Order().ToList();
        return times.Zip(times.Skip(1), (a, b) => b - a).DefaultIfEmpty().Max();
    }

    public int AckedBetween(double from, double to) => _ackTimes.Count(t => t > from && t <= to);

    /// <summary>Seconds after <paramref name="since"/> until a one-second window reaches the share of the earlier rate.</summary>
    public double SecondsToRecover(double since, double share)
    {
        var before = AckedBetween(0, since) / since;
        for (var t = since; t < Elapsed; t += 0.25)
        {
            if (AckedBetween(t, t + 1) >= before * share) return t + 1 - since;
        }
        return double.PositiveInfinity;
    }

    private async Task WorkAsync(int worker, CancellationToken stop)
    {
        var mine = sensors.Where((_, i) => i % workers == worker).ToList();
        var http = client();
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddMinutes(-30);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var sensor = mine[n % mine.Count];
            var at = start.AddMilliseconds(n);
            int status;
            try
            {
                using var response = await http.PostAsJsonAsync($"/api/v1/sensors/{sensor}/readings", new { at, value = 1.0 + (n % 100) / 100.0 }, CancellationToken.None);
                status = (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                status = 0; // connection refused or reset: the client retries
            }
            catch (TaskCanceledException)
            {
                status = -1; // the request hung past the client's timeout
            }
            _statuses.AddOrUpdate(status, 1, (_, c) => c + 1);
            if (status == (int)HttpStatusCode.Accepted)
            {
                _acked.Add((sensor, at));
                _ackTimes.Add(Elapsed);
            }
            else
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }
}
