namespace Queue.Api;

public static class OpenApiDocs
{
    /// <summary>OpenAPI at /openapi/v1.json, browsable at /docs with Swagger UI served from the service (no CDN).</summary>
    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Queue";
            document.Info.Description = "Real-time call-queue and SLA monitoring. Authenticate with an API key: "
                + "'X-Api-Key: <key>' or 'Authorization: Bearer <key>'. Errors are RFC 9457 problem documents.";
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "docs";
            o.SwaggerEndpoint("/openapi/v1.json", "Queue v1");
            o.DocumentTitle = "Queue API";
        });
        return app;
    }
}
