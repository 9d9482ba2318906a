using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Queue.Api;

public static class OpenApiDocs
{
    const string ApiKeyScheme = "ApiKey";
    const string BearerScheme = "Bearer";

    /// <summary>The one OpenAPI document's name: a part of the service describes its own operations in it.</summary>
    public const string Document = "v1";

    /// <summary>OpenAPI at /openapi/v1.json, browsable at /docs with Swagger UI served from the service (no CDN).</summary>
    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(Document, o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Queue";
                document.Info.Description = "Real-time call-queue and SLA monitoring. Authenticate with an API key: "
                    + "'X-Api-Key: <key>' or 'Authorization: Bearer <key>'. Errors are RFC 9457 problem documents.";
                AddSecuritySchemes(document);
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                RequireKey(operation, context);
                return Task.CompletedTask;
            });
            o.AddSchemaTransformer((schema, context, _) =>
            {
                ListAllowedValues(schema, context);
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        // One document, at a fixed path: another name is an unknown path (a 404 problem), not a plain-text answer.
        app.MapOpenApi("/openapi/v1.json");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "docs";
            o.SwaggerEndpoint("/openapi/v1.json", "Queue v1");
            o.DocumentTitle = "Queue API";
        });
        return app;
    }

    // The same key is accepted in either header; Swagger UI's Authorize dialog offers both.
    static void AddSecuritySchemes(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-Api-Key",
            Description = "An API key in the X-Api-Key header.",
        };
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The same API key as 'Authorization: Bearer <key>'.",
        };
    }

    /// <summary>Operations behind an authorization policy need a key, in either header.</summary>
    static void RequireKey(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any()) return;
        operation.Security ??= [];
        foreach (var scheme in new[] { ApiKeyScheme, BearerScheme })
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });
    }

    /// <summary>[AllowedValues] on a string property becomes the schema's enum.</summary>
    static void ListAllowedValues(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(AllowedValuesAttribute), inherit: true)
                .OfType<AllowedValuesAttribute>().FirstOrDefault() is not { } allowed)
            return;
        schema.Enum = [.. allowed.Values.OfType<string>().Select(v => (JsonNode)JsonValue.Create(v))];
    }
}
