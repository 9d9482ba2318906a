using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Queue.EventLog;
using Queue.Ingest;

namespace Queue.Api;

public static class OpenApiDocs
{
    const string ApiKeyScheme = "ApiKey";
    const string BearerScheme = "Bearer";

    /// <summary>OpenAPI at /openapi/v1.json, browsable at /docs with Swagger UI served from the service (no CDN).</summary>
    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Queue";
                document.Info.Description = "Real-time call-queue and SLA monitoring. Authenticate with an API key: "
                    + "'X-Api-Key: <key>' or 'Authorization: Bearer <key>'. Errors are RFC 9457 problem documents.";
                AddSecuritySchemes(document);
                EventIsOneOf(document);
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                RequireKey(operation, context);
                AcceptOneEventOrBatch(operation, context);
                return Task.CompletedTask;
            });
            o.AddSchemaTransformer((schema, context, _) =>
            {
                DescribeEvent(schema, context);
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

    /// <summary>POST /api/events takes one event or an array of them; the endpoint declares only the array.</summary>
    static void AcceptOneEventOrBatch(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        if (operation.RequestBody?.Content is not { } content
            || !content.TryGetValue("application/json", out var media)
            || media.Schema is not OpenApiSchema { Type: JsonSchemaType.Array, Items: OpenApiSchemaReference { Reference.Id: nameof(EventDocs.Event) } item } batch)
            return;
        batch.MinItems = 1;
        batch.MaxItems = context.ApplicationServices.GetRequiredService<IOptions<IngestOptions>>().Value.MaxBatchEvents;
        batch.Description = $"A batch of 1 to {batch.MaxItems:N0} events, stored all or nothing.";
        media.Schema = new OpenApiSchema { OneOf = [item, batch] };
    }

    /// <summary>
    /// The discriminator picks exactly one event type; oneOf says so, where the generated anyOf would let several match.
    /// Done on the finished document: the generator names the event schemas while walking anyOf.
    /// </summary>
    static void EventIsOneOf(OpenApiDocument document)
    {
        if (document.Components?.Schemas is { } schemas
            && schemas.TryGetValue(nameof(EventDocs.Event), out var schema) && schema is OpenApiSchema { AnyOf.Count: > 0 } union)
        {
            union.OneOf = union.AnyOf;
            union.AnyOf = null;
        }
    }

    /// <summary>Every event type is a closed object with its <c>type</c> required.</summary>
    static void DescribeEvent(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        if (context.JsonTypeInfo.Type.IsSubclassOf(typeof(EventDocs.Event)) && context.JsonPropertyInfo is null)
        {
            schema.AdditionalPropertiesAllowed = false;
            schema.AdditionalProperties = null;
            schema.Required ??= new HashSet<string>();
            schema.Required.Add("type");
        }
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
