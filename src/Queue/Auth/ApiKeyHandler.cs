using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Queue.Api;

namespace Queue.Auth;

/// <summary>Authenticates <c>X-Api-Key: …</c> or <c>Authorization: Bearer …</c>; answers 401/403 as problem documents.</summary>
internal sealed class ApiKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = ReadSecret(Request);
        if (secret is null) return AuthenticateResult.NoResult();
        if (secret.Length is < 16 or > 200) return AuthenticateResult.Fail("invalid API key");
        var key = await keys.FindAsync(secret, Context.RequestAborted);
        if (key is null) return AuthenticateResult.Fail("invalid or revoked API key");
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, key.Id.ToString()),
                new Claim(ClaimTypes.Name, key.Name),
                new Claim(ClaimTypes.Role, key.Role),
                .. KeyScope.Claims(key.Queues),
            ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    static string? ReadSecret(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var header) && header.Count == 1 && !string.IsNullOrEmpty(header[0]))
            return header[0];
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return authorization[7..].Trim();
        // The jobs dashboard is opened in a browser: the key comes once as ?key= and then from a cookie for /jobs alone
        // (see JobsDashboard). Hosting's request log, which would show the query, is held at Warning (see AddQueueAuth).
        if (request.Path.StartsWithSegments(Jobs.JobsDashboard.Path, StringComparison.Ordinal))
        {
            if (request.Query.TryGetValue(Jobs.JobsDashboard.QueryKey, out var query) && query.Count == 1 && !string.IsNullOrEmpty(query[0]))
                return query[0];
            return request.Cookies.TryGetValue(Jobs.JobsDashboard.Cookie, out var cookie) && !string.IsNullOrEmpty(cookie) ? cookie : null;
        }
        // Browsers cannot set headers on WebSockets or server-sent events: hub clients send the key as access_token.
        return request.Path.StartsWithSegments("/hubs", StringComparison.Ordinal)
            && request.Query.TryGetValue("access_token", out var token) && token.Count == 1 && !string.IsNullOrEmpty(token[0])
            ? token[0]
            : null;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Write(StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized, "Authentication required",
            Request.Path.StartsWithSegments(Jobs.JobsDashboard.Path, StringComparison.Ordinal)
                ? $"Open {Jobs.JobsDashboard.Path}?{Jobs.JobsDashboard.QueryKey}=<admin key> once; the browser then keeps it for 30 minutes."
                : "Send a valid API key as 'X-Api-Key: <key>' or 'Authorization: Bearer <key>'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Write(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, "Forbidden",
            $"This API key's role ({Context.User.FindFirstValue(ClaimTypes.Role)}) may not do this.");

    async Task Write(int status, string type, string title, string detail)
    {
        Response.StatusCode = status;
        var problems = Context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAnywayAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail },
        });
    }
}
