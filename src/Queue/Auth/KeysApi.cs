using Microsoft.AspNetCore.Http.HttpResults;
using Queue.Api;

namespace Queue.Auth;

/// <summary>
/// A key to make: its name, its role, and for a wallboard or supervisor key optionally the queues (a team's) it may see,
/// and nothing else (omitted: every queue).
/// </summary>
public sealed record CreateKeyRequest(string? Name, string? Role, IReadOnlyList<string>? Queues = null);

public static class KeysApi
{
    public static IEndpointRouteBuilder MapKeys(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").RequireAuthorization(Policies.Admin).WithTags("API keys")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        keys.MapPost("/", CreateAsync).WithName("CreateKey")
            .WithSummary("Create an API key; its secret is shown in this answer only")
            .ProducesValidationProblem();
        keys.MapGet("/", ListAsync).WithName("ListKeys").WithSummary("List API keys (never their secrets)");
        keys.MapDelete("/{id:guid}", RevokeAsync).WithName("RevokeKey").WithSummary("Revoke an API key")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    static async Task<Results<Created<CreatedApiKey>, ValidationProblem>> CreateAsync(
        CreateKeyRequest request, ApiKeyStore store, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Name is not { Length: >= 1 and <= 100 } name || name.Any(char.IsControl))
            errors["name"] = ["is required: 1 to 100 characters, no control characters"];
        if (request.Role is null || !Roles.All.Contains(request.Role))
            errors["role"] = ["must be one of: " + string.Join(", ", Roles.All)];
        if (request.Queues is { } queues)
        {
            if (request.Role is not (Roles.Wallboard or Roles.Supervisor))
                errors["queues"] = ["only a wallboard or supervisor key may be scoped to queues"];
            else if (queues.Count is 0 or > MaxQueues)
                errors["queues"] = [$"must name 1 to {MaxQueues} queues, or be left out for every queue"];
            else if (queues.Where(q => q is null || !Events.Identifiers.IsValid(q)).ToList() is [_, ..] bad)
                errors["queues"] = [.. bad.Select(q => $"'{Shorten(q)}' is not a queue name: it {Events.Identifiers.Rule}")];
        }
        if (errors.Count > 0) return Problems.Invalid(errors, "The key request is invalid", "Nothing was created.");
        var scope = request.Queues?.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var key = await store.CreateAsync(request.Name!, request.Role!, scope, ct);
        return TypedResults.Created($"/api/keys/{key.Id}", key);
    }

    const int MaxQueues = 100;

    static string Shorten(string? s) => s is null ? "null" : s.Length > 40 ? s[..40] + "…" : s;

    static async Task<Ok<IReadOnlyList<ApiKey>>> ListAsync(ApiKeyStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ListAsync(ct));

    static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(Guid id, ApiKeyStore store, CancellationToken ct) =>
        await store.RevokeAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound($"There is no API key {id}.");
}
