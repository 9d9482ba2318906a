using System.Text.Json.Serialization;
using Queue.Agents;
using Queue.Alerts;
using Queue.Api;
using Queue.Auth;
using Queue.Callbacks;
using Queue.EventLog;
using Queue.Events;
using Queue.Figures;
using Queue.Ingest;
using Queue.Jobs;
using Queue.Live;
using Queue.Notifications;
using Queue.Reports;
using Queue.Staffing;
using Queue.Storage;
using Queue.Targets;
using Queue.Telemetry;
using Queue.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddConsoleLogs();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ExceptionProblems>();
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    o.SerializerOptions.AllowDuplicateProperties = false;
    o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict; // "30" is a string, not a number of seconds
});
builder.AddCenter();
builder.AddQueueStorage();
builder.AddEventLog();
builder.AddQueueAuth();
builder.AddIngest();
builder.AddMetrics();
builder.AddCallbacks();
builder.AddAgents();
builder.AddTargets();
builder.AddReports();
builder.AddLiveState();
builder.AddAlerts();
builder.AddMail();
builder.AddEscalation();
builder.AddJobs();
builder.AddReportEmail();
builder.AddApiDocs();
builder.AddEventDocs();
builder.AddTelemetry();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWebPages();
app.UseAuthentication();
app.UseAuthorization();

app.MapEvents();
app.MapMetrics();
app.MapCallbacks();
app.MapAgents();
app.MapTrend();
app.MapReports();
app.MapCalls();
app.MapLive();
app.MapLiveCheck();
app.MapAlerts();
app.MapTargets();
app.MapStaffing();
app.MapKeys();
app.MapMe();
app.MapApiDocs();
app.MapJobsDashboard();
app.MapTelemetry();

// Refuse to start on bad configuration (a missing caller-hash secret, say) before touching the database.
app.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
await app.Services.PrepareStorageAsync(app.Lifetime.ApplicationStopping);
await app.Services.PrepareEventLogAsync(app.Lifetime.ApplicationStopping);
await app.Services.PrepareAuthAsync(app.Configuration, app.Lifetime.ApplicationStopping);
await app.Services.PrepareJobsAsync(app.Lifetime.ApplicationStopping);
app.Services.ScheduleWeeklyReport();
app.Services.ScheduleEventLogJobs();
if (args.Contains("--migrate-only")) return;
await app.RunAsync();

/// <summary>The service's entry point, visible to the test host.</summary>
public partial class Program;
