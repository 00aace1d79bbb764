namespace HueGrains.Api.Problems;

/// <summary>
/// Failures of the platform itself that pass: a silo that died or is starting, a call that timed out while the cluster
/// re-balanced, a database connection lost. They answer 503 with Retry-After, never 500: the client did nothing wrong.
/// </summary>
public static class TransientFailures
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        TimeoutException or SiloUnavailableException or Orleans.Storage.InconsistentStateException or OrleansMessageRejectionException or GatewayTooBusyException
            or Orleans.Runtime.Messaging.ConnectionFailedException or Orleans.Networking.Shared.SocketConnectionException => true,
        OrleansException { InnerException: { } inner } => IsTransient(inner),
        System.Data.Common.DbException => true,
        // A grain's exception of a type the client cannot deserialize (a database driver's, say) arrives as a fallback.
        _ when exception.GetType().Name == "UnavailableExceptionFallbackException" => true,
        _ => exception.InnerException is { } cause && IsTransient(cause),
    };
}
