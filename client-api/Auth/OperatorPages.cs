using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.Extensions;

namespace HueGrains.Api.Auth;

/// <summary>
/// Browser pages for operators (the Orleans dashboard at /dashboard) cannot send a bearer header: the first visit
/// carries the token once as <c>?access_token=</c>. Once the token has passed the same validation as the API's, it is
/// kept in an HttpOnly, same-site cookie scoped to the page's path and the browser is sent (303) to the same address
/// without the token, so it leaves the address bar and the history. A token that fails validation sets nothing.
/// Everywhere else only the Authorization header counts.
/// </summary>
public static class OperatorPages
{
    public const string PathPrefix = "/dashboard";
    private const string Cookie = "hue_operator";
    private const string QueryToken = "access_token";

    public static Task ReadToken(MessageReceivedContext context)
    {
        var http = context.HttpContext;
        if (!http.Request.Path.StartsWithSegments(PathPrefix) || context.Token is not null) return Task.CompletedTask;
        if (http.Request.Query[QueryToken].FirstOrDefault() is { Length: > 0 } token) context.Token = token;
        else if (http.Request.Cookies[Cookie] is { Length: > 0 } kept) context.Token = kept;
        return Task.CompletedTask;
    }

    /// <summary>After authentication: a page address with a valid token becomes a cookie and a redirect to the clean address.</summary>
    public static IApplicationBuilder UseOperatorPages(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        var request = http.Request;
        if (!request.Path.StartsWithSegments(PathPrefix) || request.Query[QueryToken].FirstOrDefault() is not { Length: > 0 } token
            || http.User.Identity?.IsAuthenticated != true)
        {
            return next(http);
        }
        // ReadToken gives the query's token precedence, so an authenticated user here is that token's.
        http.Response.Cookies.Append(Cookie, token, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Path = PathPrefix, Secure = request.IsHttps, MaxAge = TimeSpan.FromHours(8),
        });
        var rest = new QueryBuilder(request.Query.Where(q => q.Key != QueryToken).SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v ?? ""))));
        http.Response.StatusCode = StatusCodes.Status303SeeOther;
        http.Response.Headers.Location = $"{request.PathBase}{request.Path}{rest}";
        http.Response.Headers.CacheControl = "no-store";
        return Task.CompletedTask;
    });
}
