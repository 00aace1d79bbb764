using Npgsql;

namespace HueGrains.Testing;

/// <summary>The citizen-service indicators of one commune, as a recount or as the platform shows them.</summary>
public sealed record ServiceCounts(
    int CasesReceived, int OpenCases, int OverdueCases, int CasesProcessing, int ResolvedCases, int CompletedOnTime,
    int ResolvedCases90d, int CompletedOnTime90d,
    int OpenFeedback, int OverdueFeedback, int ResolvedFeedback, int RatedFeedback, int SatisfiedFeedback,
    int RatedFeedback90d, int SatisfiedFeedback90d, double? MedianHoursToResolve)
{
    public static ServiceCounts Of(Indicators i) => new(i.CasesReceived, i.OpenCases, i.OverdueCases, i.CasesProcessing, i.ResolvedCases,
        i.CompletedOnTime, i.ResolvedCases90d, i.CompletedOnTime90d, i.OpenFeedback, i.OverdueFeedback, i.ResolvedFeedback,
        i.RatedFeedback, i.SatisfiedFeedback, i.RatedFeedback90d, i.SatisfiedFeedback90d, i.MedianHoursToResolve);

    /// <summary>The city: every commune's counts added up (the median is left out: it merges histograms, not medians).</summary>
    public static ServiceCounts Sum(IEnumerable<ServiceCounts> communes) => communes.Aggregate(
        new ServiceCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null),
        (a, b) => new(a.CasesReceived + b.CasesReceived, a.OpenCases + b.OpenCases, a.OverdueCases + b.OverdueCases,
            a.CasesProcessing + b.CasesProcessing, a.ResolvedCases + b.ResolvedCases, a.CompletedOnTime + b.CompletedOnTime,
            a.ResolvedCases90d + b.ResolvedCases90d, a.CompletedOnTime90d + b.CompletedOnTime90d, a.OpenFeedback + b.OpenFeedback,
            a.OverdueFeedback + b.OverdueFeedback, a.ResolvedFeedback + b.ResolvedFeedback, a.RatedFeedback + b.RatedFeedback,
            a.SatisfiedFeedback + b.SatisfiedFeedback, a.RatedFeedback90d + b.RatedFeedback90d, a.SatisfiedFeedback90d + b.SatisfiedFeedback90d, null));

    public ServiceCounts WithoutMedian() => this with { MedianHoursToResolve = null };
}

/// <summary>
/// Recounts every commune's citizen-service indicators straight from the projection rows (hue_cases, hue_feedback) by
/// their status codes, independently of the totals the triggers keep and of the platform's own arithmetic.
/// </summary>
public static class Recount
{
    // Status codes as stored: CaseStatus Received 0, SupplementRequested 1, Processing 2, ReadyToReturn 3, Returned 4,
    // Refused 5, Cancelled 6; FeedbackStatus Submitted 0, Assigned 1, InProgress 2, Resolved 3, Closed 4, Reopened 5.
    private const string Sql = """
        WITH c AS (
            SELECT commune,
                   count(*) AS received,
                   count(*) FILTER (WHERE status NOT IN (4, 5, 6)) AS open,
                   count(*) FILTER (WHERE status NOT IN (1, 4, 5, 6) AND (overdue OR due_at < $1)) AS overdue,
                   count(*) FILTER (WHERE status = 2) AS processing,
                   count(*) FILTER (WHERE status IN (4, 5)) AS resolved,
                   count(*) FILTER (WHERE status IN (4, 5) AND completed_at <= due_at) AS on_time,
                   count(*) FILTER (WHERE status IN (4, 5) AND (completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date >= $2) AS resolved_90,
                   count(*) FILTER (WHERE status IN (4, 5) AND completed_at <= due_at
                                    AND (completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date >= $2) AS on_time_90
            FROM hue_cases GROUP BY commune),
        f AS (
            SELECT commune,
                   count(*) FILTER (WHERE status NOT IN (3, 4)) AS open,
                   count(*) FILTER (WHERE status NOT IN (3, 4) AND (overdue OR due_at < $1)) AS overdue,
                   count(*) FILTER (WHERE status IN (3, 4)) AS resolved,
                   count(*) FILTER (WHERE status IN (3, 4) AND rating IS NOT NULL) AS rated,
                   count(*) FILTER (WHERE status IN (3, 4) AND rating >= 4) AS satisfied,
                   count(*) FILTER (WHERE status IN (3, 4) AND rating IS NOT NULL
                                    AND (COALESCE(resolved_at, updated_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date >= $2) AS rated_90,
                   count(*) FILTER (WHERE status IN (3, 4) AND rating >= 4
                                    AND (COALESCE(resolved_at, updated_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date >= $2) AS satisfied_90,
                   (SELECT (floor(percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM x.resolved_at - x.submitted_at)) / 900) + 0.5) / 4
                      FROM hue_feedback x WHERE x.commune = hue_feedback.commune AND x.status IN (3, 4) AND x.resolved_at IS NOT NULL) AS median_hours
            FROM hue_feedback WHERE commune IS NOT NULL GROUP BY commune)
        SELECT COALESCE(c.commune, f.commune), COALESCE(c.received, 0), COALESCE(c.open, 0), COALESCE(c.overdue, 0),
               COALESCE(c.processing, 0), COALESCE(c.resolved, 0), COALESCE(c.on_time, 0), COALESCE(c.resolved_90, 0),
               COALESCE(c.on_time_90, 0), COALESCE(f.open, 0), COALESCE(f.overdue, 0), COALESCE(f.resolved, 0),
               COALESCE(f.rated, 0), COALESCE(f.satisfied, 0), COALESCE(f.rated_90, 0), COALESCE(f.satisfied_90, 0), f.median_hours
        FROM c FULL JOIN f ON c.commune = f.commune
        """;

    /// <summary>Each commune that has any dossier or report, as of <paramref name="now"/>.</summary>
    public static async Task<Dictionary<string, ServiceCounts>> CommunesAsync(string connectionString, DateTimeOffset now)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = now.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter { Value = ClosedTotals.WindowStart(now) });
        var counts = new Dictionary<string, ServiceCounts>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            int N(int i) => (int)reader.GetInt64(i);
            counts[reader.GetString(0)] = new ServiceCounts(N(1), N(2), N(3), N(4), N(5), N(6), N(7), N(8), N(9), N(10), N(11), N(12), N(13),
                N(14), N(15), reader.IsDBNull(16) ? null : Math.Round(reader.GetDouble(16), 2));
        }
        return counts;
    }
}
