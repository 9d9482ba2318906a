namespace Queue.Auth;

public static class Roles
{
    public const string Ingest = "ingest";

    /// <summary>Posts events of any age (not in the future): history loads, past the lateness window.</summary>
    public const string Import = "import";
    public const string Wallboard = "wallboard";
    public const string Supervisor = "supervisor";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Ingest, Import, Wallboard, Supervisor, Admin];

    /// <summary>Whether a key of this principal may post events older than the lateness window.</summary>
    public static bool MayImport(System.Security.Claims.ClaimsPrincipal user) => user.IsInRole(Import) || user.IsInRole(Admin);
}

/// <summary>Authorization policies: admin may do everything; reading is open to wallboard keys and above.</summary>
public static class Policies
{
    public const string Ingest = "ingest";
    public const string Read = "read";
    public const string Supervise = "supervise";
    public const string Admin = "admin";

    public static WebApplicationBuilder AddQueueAuth(this WebApplicationBuilder builder)
    {
        // Hub clients may carry their key in the query string (access_token): the request-start log line shows the
        // query, so that category never logs below Warning, whatever the configuration says.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", level => level >= LogLevel.Warning);
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddAuthentication(ApiKeyHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Ingest, p => p.RequireRole(Roles.Ingest, Roles.Import, Roles.Admin))
            .AddPolicy(Read, p => p.RequireRole(Roles.Wallboard, Roles.Supervisor, Roles.Admin))
            .AddPolicy(Supervise, p => p.RequireRole(Roles.Supervisor, Roles.Admin))
            .AddPolicy(Admin, p => p.RequireRole(Roles.Admin));
        return builder;
    }

    /// <summary>Makes sure the bootstrap admin key exists when <c>QUEUE_BOOTSTRAP_ADMIN_KEY</c> is set (a fresh install's first key).</summary>
    public static async Task PrepareAuthAsync(this IServiceProvider services, IConfiguration configuration, CancellationToken ct)
    {
        var bootstrap = configuration["QUEUE_BOOTSTRAP_ADMIN_KEY"];
        if (string.IsNullOrEmpty(bootstrap)) return;
        if (bootstrap.Length < 16)
            throw new InvalidOperationException("QUEUE_BOOTSTRAP_ADMIN_KEY must be at least 16 characters");
        await services.GetRequiredService<ApiKeyStore>().EnsureBootstrapAdminAsync(bootstrap, ct);
    }
}
