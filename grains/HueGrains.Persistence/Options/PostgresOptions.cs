namespace HueGrains.Persistence;

/// <summary>Where the durable mode's PostgreSQL is. The connection string carries a password: it never prints.</summary>
public sealed class PostgresOptions
{
    public string ConnectionString { get; set; } = "";

    /// <summary>Never the connection string: only whether one is set.</summary>
    public override string ToString() =>
        $"{nameof(PostgresOptions)} {{ {nameof(ConnectionString)} = {(ConnectionString.Length == 0 ? "(none)" : "(redacted)")} }}";
}
