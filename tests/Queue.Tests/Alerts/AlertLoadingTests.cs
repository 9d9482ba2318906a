using System.Net;
using Queue.Alerts;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Alerts;

/// <summary>A node that reads its open alerts again soon after a failed read, so that a test need not wait for it.</summary>
public sealed class AlertRetryApp : QueueApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Queue:Alerts:RefreshInterval"] = "00:00:00.200",
    };
}

/// <summary>
/// A node that starts while it cannot read the open alerts judges nothing and names no deadline meanwhile. Once it has
/// read them, every queue is looked at again: a deadline passed in the meantime raises its alert with no event and no
/// tick of the clock.
/// </summary>
public sealed class AlertLoadingTests(AlertRetryApp app) : IClassFixture<AlertRetryApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task A_visit_deadline_passed_while_the_open_alerts_could_not_be_read_raises_its_alert_once_they_are()
    {
        using var http = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.VisitCreated("al-1", Now.AddHours(-24).AddMilliseconds(5), "al-v1", region: "ural"))).StatusCode);
        await app.LiveCaughtUpAsync();

        try
        {
            // The node starts again with the alerts' table out of reach: its reads of the open alerts fail, and it retries.
            await app.RestartAsync(() => RenameAsync("alerts", "alerts_away"));
            await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("supervisor"));
            await client.JoinCenterAsync();
            using var restarted = app.Client();

            // The center changes and is looked at meanwhile; then the visit passes its 24 h deadline, with nobody to judge it.
            Assert.Equal(HttpStatusCode.OK, (await restarted.PostEventsAsync(Ev.Queued("al-q1", Now, "al-c1", "al"))).StatusCode);
            await client.WaitForAsync("CenterUpdated", s => s.CallsWaiting == 1);
            await Task.Delay(300);
            app.Time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(300);
            Assert.Empty(client.DrainAlerts());
            Assert.Contains(app.Logs, l => l.Contains("Open alerts could not be read", StringComparison.Ordinal));

            await RenameAsync("alerts_away", "alerts");
            var late = await client.WaitForAlertAsync(a => a.Kind == AlertKinds.VisitLate && a.Subject == AlertSubjects.NoQueue);
            Assert.Equal((AlertStates.Open, Now, "al-v1"),
                (late.State, late.RaisedAt, string.Join(' ', late.Details.GetProperty("visits").EnumerateArray().Select(v => v.GetString()))));
        }
        finally
        {
            if (await TableExistsAsync("alerts_away")) await RenameAsync("alerts_away", "alerts");
        }
    }

    async Task RenameAsync(string from, string to)
    {
        await using var command = app.Db.CreateCommand($"alter table {from} rename to {to}");
        await command.ExecuteNonQueryAsync();
    }

    async Task<bool> TableExistsAsync(string name)
    {
        await using var command = app.Db.CreateCommand($"select to_regclass('{name}') is not null");
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}
