using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace HueGrains.Api.Auth;

/// <summary>
/// Browser pages for operators (the Orleans dashboard at /dashboard) cannot send a bearer header: the first visit
/// carries the token once as <c>?access_token=</c>, which is kept in an HttpOnly, same-site cookie scoped to the page's
/// path, so the page's own requests authenticate too. Everywhere else only the Authorization header counts.
/// </summary>
public static class OperatorPages
{
    public const string PathPrefix = "/dashboard";
    private const string Cookie = "hue_operator";

    public static Task ReadToken(MessageReceivedContext context)
    {
        var http = context.HttpContext;
        if (!http.Request.Path.StartsWithSegments(PathPrefix) || context.Token is not null) return Task.CompletedTask;
        if (http.Request.Query["access_token"].FirstOrDefault() is { Length: > 0 } token)
        {
            context.Token = token;
            http.Response.Cookies.Append(Cookie, token, new CookieOptions
            {
                HttpOnly = true, SameSite = SameSiteMode.Strict, Path = PathPrefix, Secure = http.Request.IsHttps, MaxAge = TimeSpan.FromHours(8),
            });
        }
        else if (http.Request.Cookies[Cookie] is { Length: > 0 } kept)
        {
            context.Token = kept;
        }
        return Task.CompletedTask;
    }
}
