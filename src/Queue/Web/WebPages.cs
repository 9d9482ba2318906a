using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Queue.Web;

/// <summary>
/// The wallboard (<c>/wallboard</c>) and the supervisor console (<c>/console</c>): pages built by Vite from
/// <c>src/Queue/Web</c> into <c>wwwroot/app</c> of the build output (see Queue.csproj), their scripts and styles under
/// <c>/app/</c>. Everything they need is served from here: no CDN, no web fonts.
/// </summary>
public static class WebPages
{
    public static readonly string[] Pages = ["wallboard", "console"];

    // Only what the pages load from this origin; the key they hold never leaves it (no referrer, no framing).
    const string Policy = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; " +
        "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    public static string Root => Path.Combine(AppContext.BaseDirectory, "wwwroot", "app");

    public static WebApplication UseWebPages(this WebApplication app)
    {
        if (Directory.Exists(Root))
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(Root),
                RequestPath = "/app",
                OnPrepareResponse = c =>
                {
                    // Vite names every asset by its content hash: a new build has new names.
                    var immutable = c.Context.Request.Path.StartsWithSegments("/app/assets", StringComparison.Ordinal);
                    c.Context.Response.Headers.CacheControl = immutable ? "public, max-age=31536000, immutable" : "no-cache";
                    c.Context.Response.Headers.XContentTypeOptions = "nosniff";
                },
            });
        }
        foreach (var page in Pages)
            app.MapGet("/" + page, (HttpContext context) => Serve(context, page)).ExcludeFromDescription().AllowAnonymous();
        return app;
    }

    // The page itself needs no key (it reads it from the link and sends it with every call); the API checks it.
    static IResult Serve(HttpContext context, string page)
    {
        var file = Path.Combine(Root, page + ".html");
        if (!File.Exists(file))
        {
            return TypedResults.Text(
                $"The web pages were not built, so /{page} cannot be shown. Run ops/run, which builds them " +
                "(or: cd src/Queue/Web && npm ci && npm run build, then build the service again).",
                "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = Policy;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.PhysicalFile(file, "text/html; charset=utf-8");
    }
}
