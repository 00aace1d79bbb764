namespace HueGrains.Tests.Http;

/// <summary>One Server-Sent Event as a client sees it.</summary>
public sealed record SseEvent(string? Id, string Type, string Data);

/// <summary>A minimal EventSource: reads frames from a streamed response (comments and retry lines skipped).</summary>
public sealed class SseClient : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseClient(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body);
    }

    public static async Task<SseClient> ConnectAsync(HttpClient http, string url, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseClient(response, await response.Content.ReadAsStreamAsync());
    }

    public async Task<SseEvent> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        string? id = null, type = null;
        var data = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("The event stream ended.");
            if (line.Length == 0)
            {
                if (type is not null || data.Count > 0) return new SseEvent(id, type ?? "message", string.Join('\n', data));
                continue;
            }
            if (line.StartsWith(':')) continue;
            var (field, value) = line.IndexOf(':') is var i and >= 0 ? (line[..i], line[(i + 1)..].TrimStart()) : (line, "");
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": data.Add(value); break;
            }
        }
    }

    /// <summary>Reads events until one satisfies <paramref name="match"/>; returns everything read, that one last.</summary>
    public async Task<List<SseEvent>> UntilAsync(Func<SseEvent, bool> match, TimeSpan? timeout = null)
    {
        var seen = new List<SseEvent>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            SseEvent next;
            try
            {
                next = await NextAsync(deadline - DateTime.UtcNow);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching event; saw: {string.Join(" | ", seen.Select(e => $"{e.Id} {e.Type} {e.Data}"))}");
            }
            seen.Add(next);
            if (match(next)) return seen;
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}
