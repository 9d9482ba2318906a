using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Queue.Api;
using Queue.Events;

namespace Queue.Auth;

/// <summary>
/// Who a key is: its name and role, the queues it is scoped to (null: every queue), and the center's time zone (a screen
/// shows the center's clock).
/// </summary>
public sealed record Me(string Name, string Role, string TimeZone, IReadOnlyList<string>? Queues);

public static class MeApi
{
    public static IEndpointRouteBuilder MapMe(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me", Get).RequireAuthorization().WithTags("API keys").WithName("GetMe")
            .WithSummary("The key's name and role, and the center's time zone: a page tells a refused key from a network problem with it")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    static Ok<Me> Get(ClaimsPrincipal user, IOptions<CenterOptions> live) =>
        TypedResults.Ok(new Me(user.FindFirstValue(ClaimTypes.Name) ?? "", user.FindFirstValue(ClaimTypes.Role) ?? "", live.Value.TimeZone,
            KeyScope.Of(user).Queues?.Order(StringComparer.Ordinal).ToList()));
}
