using Hangfire;
using Hangfire.Dashboard;
using Queue.Auth;

namespace Queue.Jobs;

/// <summary>
/// Hangfire's dashboard at <c>/jobs</c>, for admin keys only. A browser cannot send a header, so an admin opens
/// <c>/jobs?key=…</c> once: the key is checked like any other, kept in a cookie for <c>/jobs</c> alone (HttpOnly,
/// SameSite=Strict, Secure over HTTPS, 30 minutes) and taken out of the address by a redirect. Every request checks
/// the key again against the key store, so a revoked key stops working at once.
/// </summary>
public static class JobsDashboard
{
    public const string Path = "/jobs";
    public const string Cookie = "queue_jobs_key";
    public const string QueryKey = "key";
    static readonly TimeSpan CookieLife = TimeSpan.FromMinutes(30);

    public static WebApplication MapJobsDashboard(this WebApplication app)
    {
        // Runs after authorization: only a key that authenticated as admin gets here with ?key=.
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments(Path, StringComparison.Ordinal)
                && http.Request.Query.TryGetValue(QueryKey, out var key) && key.Count == 1 && http.User.IsInRole(Roles.Admin))
            {
                http.Response.Cookies.Append(Cookie, key[0]!, new CookieOptions
                {
                    HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = Path, MaxAge = CookieLife, IsEssential = true,
                });
                http.Response.Headers.CacheControl = "no-store";
                var rest = http.Request.Query.Where(q => q.Key != QueryKey)
                    .SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}"));
                var query = string.Join('&', rest);
                http.Response.Redirect(http.Request.PathBase + http.Request.Path + (query.Length > 0 ? "?" + query : ""));
                return;
            }
            await next(http);
        });
        app.MapHangfireDashboard(Path, new DashboardOptions
        {
            Authorization = [new AdminOnly()],
            DashboardTitle = "Queue jobs",
            AppPath = null,
            DisplayStorageConnectionString = false,
        }, app.Services.GetRequiredService<JobStorage>())
            .RequireAuthorization(Policies.Admin)
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>The endpoint already requires the admin policy; Hangfire checks again, and refuses anyone else by default.</summary>
    sealed class AdminOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Admin);
    }
}
