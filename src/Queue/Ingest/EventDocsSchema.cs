using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Queue.Api;
using Queue.EventLog;

namespace Queue.Ingest;

/// <summary>How <c>POST /api/events</c> and its events show in the OpenAPI document (after the document's own transformers).</summary>
public static class EventDocsSchema
{
    public static WebApplicationBuilder AddEventDocs(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<OpenApiOptions>(OpenApiDocs.Document, o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                EventIsOneOf(document);
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                AcceptOneEventOrBatch(operation, context);
                return Task.CompletedTask;
            });
            o.AddSchemaTransformer((schema, context, _) =>
            {
                DescribeEvent(schema, context);
                return Task.CompletedTask;
            });
        });
        return builder;
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
}
