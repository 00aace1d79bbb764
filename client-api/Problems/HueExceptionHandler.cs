using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using HueGrains.Api.Photos;
using Microsoft.AspNetCore.Mvc;

namespace HueGrains.Api.Problems;

/// <summary>The one place where domain and input exceptions become RFC 7807 problem details. Anything else stays a 500.</summary>
public sealed class HueExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        ProblemDetails? problem = exception switch
        {
            HueValidationException v => new ValidationProblemDetails(v.Errors)
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request has invalid fields.",
            },
            HueNotFoundException n => Problem(StatusCodes.Status404NotFound, "Not found.", n.Message),
            HueConflictException c => Problem(StatusCodes.Status409Conflict, "Conflict with the current state.", c.Message),
            HueForbiddenException f => Problem(StatusCodes.Status403Forbidden, "Forbidden.", f.Message),
            HueUnprocessableException u => Problem(StatusCodes.Status422UnprocessableEntity, "The request cannot be processed as sent.", u.Message),
            BadHttpRequestException b => BadRequest(b),
            PhotoRejectedException p => PhotoProblem(p),
            HueUnavailableException u => Unavailable(context, u.Message, u.RetryAfterSeconds),
            HueQuotaExceededException q => TooMany(context, q.Message, q.RetryAfterSeconds),
            _ when TransientFailures.IsTransient(exception) => Unavailable(context, "The platform is recovering from a failure; retry shortly.", 2),
            _ => null,
        };
        if (problem is null) return false;
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails Problem(int status, string title, string detail) => new() { Status = status, Title = title, Detail = detail };

    private static ProblemDetails Unavailable(HttpContext context, string detail, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable.", detail);
    }

    private static ProblemDetails TooMany(HttpContext context, string detail, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status429TooManyRequests, "Too many requests.", detail);
    }

    /// <summary>An upload that is not a photo the platform keeps: 400, 413 or 415, naming field <c>photo</c>.</summary>
    private static ValidationProblemDetails PhotoProblem(PhotoRejectedException exception) => new(
        new Dictionary<string, string[]> { [PhotoUploads.Field] = [exception.Message] })
    {
        Status = exception.Status,
        Title = exception.Status switch
        {
            StatusCodes.Status413PayloadTooLarge => "The photo is too large.",
            StatusCodes.Status415UnsupportedMediaType => "The photo is not a JPEG, PNG or WebP image.",
            _ => "The request has invalid fields.",
        },
    };

    /// <summary>Malformed JSON or a value of the wrong type: name the field from the JSON path.</summary>
    private static ProblemDetails BadRequest(BadHttpRequestException exception)
    {
        if (exception.InnerException is JsonException { Path: { } path } json)
        {
            var field = path.TrimStart('$').TrimStart('.');
            return new ValidationProblemDetails(new Dictionary<string, string[]>
            {
                [field.Length == 0 ? "body" : field] = [ClientText.Describe(json)],
            })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request body is not valid JSON for this endpoint.",
            };
        }
        return Problem(exception.StatusCode, exception.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? "The request body is too large." : "Bad request.", ClientText.Describe(exception));
    }
}
