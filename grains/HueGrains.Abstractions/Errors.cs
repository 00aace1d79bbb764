namespace HueGrains;

/// <summary>Input that breaks a rule; <see cref="Errors"/> names each field (JSON path style) and what is wrong.</summary>
[GenerateSerializer, Alias("hue.HueValidationException")]
public sealed class HueValidationException : Exception
{
    public HueValidationException() { }

    public HueValidationException(string field, string error)
        : this(new Dictionary<string, string[]> { [field] = [error] }) { }

    public HueValidationException(Dictionary<string, string[]> errors)
        : base(string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"))) => Errors = errors;

    public HueValidationException(string message, Exception inner) : base(message, inner) { }

    [Id(0)] public Dictionary<string, string[]> Errors { get; private set; } = [];
}

/// <summary>The request conflicts with the entity's current state (an impossible transition, a second registration).</summary>
[GenerateSerializer, Alias("hue.HueConflictException")]
public sealed class HueConflictException : Exception
{
    public HueConflictException() { }
    public HueConflictException(string message) : base(message) { }
    public HueConflictException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The request is well formed but cannot be honoured as sent (an idempotency key reused with another request).</summary>
[GenerateSerializer, Alias("hue.HueUnprocessableException")]
public sealed class HueUnprocessableException : Exception
{
    public HueUnprocessableException() { }
    public HueUnprocessableException(string message) : base(message) { }
    public HueUnprocessableException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The caller used up a quota (a citizen creating reports or dossiers); retry after the given seconds.</summary>
[GenerateSerializer, Alias("hue.HueQuotaExceededException")]
public sealed class HueQuotaExceededException : Exception
{
    public HueQuotaExceededException() { }
    public HueQuotaExceededException(string message) : base(message) { }
    public HueQuotaExceededException(string message, Exception inner) : base(message, inner) { }

    public HueQuotaExceededException(string message, int retryAfterSeconds) : base(message) => RetryAfterSeconds = retryAfterSeconds;

    [Id(0)] public int RetryAfterSeconds { get; private set; } = 1;
}

/// <summary>The entity the request names does not exist.</summary>
[GenerateSerializer, Alias("hue.HueNotFoundException")]
public sealed class HueNotFoundException : Exception
{
    public HueNotFoundException() { }
    public HueNotFoundException(string message) : base(message) { }
    public HueNotFoundException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The caller is known but may not do this (a wrong device key, another citizen's case).</summary>
[GenerateSerializer, Alias("hue.HueForbiddenException")]
public sealed class HueForbiddenException : Exception
{
    public HueForbiddenException() { }
    public HueForbiddenException(string message) : base(message) { }
    public HueForbiddenException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A dependency (PostgreSQL, the reading journal's queue) cannot take the request now; retry after a pause.</summary>
[GenerateSerializer, Alias("hue.HueUnavailableException")]
public sealed class HueUnavailableException : Exception
{
    public HueUnavailableException() { }
    public HueUnavailableException(string message) : base(message) { }
    public HueUnavailableException(string message, Exception inner) : base(message, inner) { }

    public HueUnavailableException(string message, int retryAfterSeconds, Exception? inner = null)
        : base(message, inner) => RetryAfterSeconds = retryAfterSeconds;

    [Id(0)] public int RetryAfterSeconds { get; private set; } = 1;
}
