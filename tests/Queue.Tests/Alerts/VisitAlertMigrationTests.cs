using System.Text.Json;
using Dapper;
using Npgsql;
using Queue.Alerts;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Alerts;

/// <summary>
/// An install from before visit alerts were grouped (migrations 0001–0027), with alerts of one visit each open,
/// acknowledged, escalated and cleared, upgraded: migration 0028 makes them one alert per kind and queue.
/// </summary>
public sealed class VisitAlertMigrationTests : IAsyncLifetime
{
    readonly MigrationDatabase install = new();
    // To the microsecond, as PostgreSQL keeps it.
    static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    NpgsqlDataSource Db => install.Db;

    public ValueTask InitializeAsync() => install.InitializeAsync();

    public ValueTask DisposeAsync() => install.DisposeAsync();

    [Fact]
    public async Task Alerts_of_one_visit_each_become_one_per_kind_and_queue_listing_their_visits_and_the_old_ones_say_where_they_went()
    {
        install.MigrateOnly(n => n < GroupedVisitAlerts);

        // b2c: two open (one escalated), one acknowledged: open, and not escalated (one of them never was).
        var c1 = await AlertAsync(AlertKinds.VisitLate, "v-c1", "b2c", created: -30, raised: -6);
        var c2 = await AlertAsync(AlertKinds.VisitLate, "v-c2", "b2c", created: -28, raised: -4, acked: (-3, "anna", "on it"));
        var c3 = await AlertAsync(AlertKinds.VisitLate, "v-c3", "b2c", created: -26, raised: -2, escalated: -1.8);
        // b2b: both acknowledged: acknowledged, as the latest was. One visit is spelt like the queue.
        var b1 = await AlertAsync(AlertKinds.VisitLate, "b2b", "b2b", created: -27, raised: -3, acked: (-2, "boris", "crew sent"));
        var b2 = await AlertAsync(AlertKinds.VisitLate, "v-b2", "b2b", created: -29, raised: -5, acked: (-1, "vera", "called the customer"));
        // No call: the one left open was escalated, so the group was.
        var n1 = await AlertAsync(AlertKinds.VisitOverdue, "v-n1", null, created: -50, raised: -2, escalated: -1.8);
        var n2 = await AlertAsync(AlertKinds.VisitOverdue, "v-n2", null, created: -49, raised: -1, acked: (-0.5, "anna", "waiting for parts"));
        // More visits than an alert names.
        var big = new List<long>();
        for (var i = 0; i < 201; i++) big.Add(await AlertAsync(AlertKinds.VisitLate, $"v-{i:D3}", "big", created: -25 - i / 60.0, raised: -1));
        // Left alone: a visit's alert cleared before, a queue's alert open.
        var gone = await AlertAsync(AlertKinds.VisitLate, "v-gone", "b2c", created: -40, raised: -16, cleared: -10);
        var wait = await AlertAsync(AlertKinds.QueueWait, "b2c", "b2c", created: 0, raised: -0.1);

        await install.UpgradeAsync();

        await using var connection = await Db.OpenConnectionAsync();
        var open = (await connection.QueryAsync<(long Id, string Kind, string Subject, string? Queue, string State)>(
            "select id, kind, subject, queue, state from alerts where state <> 'cleared' order by kind, subject")).ToList();
        Assert.Equal(
        [
            (AlertKinds.QueueWait, "b2c", "b2c", AlertStates.Open), (AlertKinds.VisitLate, "b2b", "b2b", AlertStates.Acknowledged),
            (AlertKinds.VisitLate, "b2c", "b2c", AlertStates.Open), (AlertKinds.VisitLate, "big", "big", AlertStates.Open),
            (AlertKinds.VisitOverdue, AlertSubjects.NoQueue, null, AlertStates.Open),
        ], open.Select(a => (a.Kind, a.Subject, a.Queue, a.State)));
        Assert.Equal(wait, open[0].Id);
        var store = new AlertStore(Db);
        async Task<AlertDetail> GroupAsync(string kind, string subject) => (await store.GetAsync(open.Single(a => a.Kind == kind && a.Subject == subject).Id, CancellationToken.None))!;

        // b2c: raised with its first visit, its visits oldest first, each joining when its own alert was raised.
        var b2c = await GroupAsync(AlertKinds.VisitLate, "b2c");
        Assert.Equal((At(-6), AlertSeverity.Warning), (b2c.Alert.RaisedAt, b2c.Alert.Severity));
        Assert.Null(b2c.Alert.AcknowledgedAt);
        Assert.Null(b2c.Alert.EscalatedAt);
        Assert.Equal(("v-c1 v-c2 v-c3", 3L, 24.0), (Visits(b2c.Alert), b2c.Alert.Details.GetProperty("samples").GetInt64(), b2c.Alert.Details.GetProperty("target").GetDouble()));
        Assert.Equal(30, b2c.Alert.Details.GetProperty("value").GetDouble(), 0.05);
        Assert.Equal(
            [("raised", At(-6), $"merged from alerts #{c1}, #{c2}, #{c3}"), ("joined", At(-6), "v-c1"), ("joined", At(-4), "v-c2"), ("joined", At(-2), "v-c3")],
            b2c.History.Select(h => (h.Action, h.At, h.Note)));
        Assert.Equal([("v-c1", At(-6)), ("v-c2", At(-4)), ("v-c3", At(-2))], await ListedAsync(connection, b2c.Alert.Id));

        // b2b: every one acknowledged, so the group is, as by the latest.
        var b2b = await GroupAsync(AlertKinds.VisitLate, "b2b");
        Assert.Equal(((DateTimeOffset?)At(-1), "vera", "called the customer"), (b2b.Alert.AcknowledgedAt, b2b.Alert.AcknowledgedBy, b2b.Alert.AckNote));
        Assert.Equal("v-b2 b2b", Visits(b2b.Alert));
        Assert.Equal("raised joined:v-b2 joined:b2b acknowledged:called the customer", string.Join(' ', b2b.History.Select(h => h.Action == "raised" ? h.Action : $"{h.Action}:{h.Note}")));

        // No queue: open, escalated as its open visit's alert was.
        var none = await GroupAsync(AlertKinds.VisitOverdue, AlertSubjects.NoQueue);
        Assert.Equal((At(-2), (DateTimeOffset?)At(-1.8), AlertSeverity.Breach, "v-n1 v-n2", 48.0),
            (none.Alert.RaisedAt, none.Alert.EscalatedAt, none.Alert.Severity, Visits(none.Alert), none.Alert.Details.GetProperty("target").GetDouble()));
        Assert.Contains(("escalated", At(-1.8), $"as alert #{n1}"), none.History.Select(h => (h.Action, h.At, h.Note)));

        // Big: names the 200 oldest, counts all 201, lists all 201 for the service.
        var many = await GroupAsync(AlertKinds.VisitLate, "big");
        Assert.Equal((201L, 200, "v-200"), (many.Alert.Details.GetProperty("samples").GetInt64(),
            many.Alert.Details.GetProperty("visits").GetArrayLength(), many.Alert.Details.GetProperty("visits")[0].GetString()));
        Assert.Equal(201, (await ListedAsync(connection, many.Alert.Id)).Count);

        // The alerts merged are cleared, each saying into which.
        foreach (var (merged, into) in new[] { (c1, b2c), (c2, b2c), (c3, b2c), (b1, b2b), (b2, b2b), (n1, none), (n2, none), (big[0], many), (big[200], many) })
        {
            var old = (await store.GetAsync(merged, CancellationToken.None))!;
            Assert.Equal(AlertStates.Cleared, old.Alert.State);
            Assert.Equal(("cleared", "migration 0028", $"merged into alert #{into.Alert.Id}"), (old.History[^1].Action, old.History[^1].By, old.History[^1].Note));
        }
        var untouched = (await store.GetAsync(gone, CancellationToken.None))!;
        Assert.Equal(((DateTimeOffset?)At(-10), 2), (untouched.Alert.ClearedAt, untouched.History.Count));

        // One alert not cleared per kind and subject, as before.
        var twice = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "insert into alerts (kind, subject, queue, severity, state, raised_at) values ('visit.late', 'b2c', 'b2c', 'warning', 'open', now())"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, twice.SqlState);

        // The service goes on from there: b2c's alert lists the three, and two of them leave it.
        var change = await new VisitAlertStore(Db).DecideAsync(AlertKinds.VisitLate, "b2c", (listed, isOpen) =>
        {
            Assert.True(isOpen);
            Assert.Equal(["v-c1", "v-c2", "v-c3"], listed.Order(StringComparer.Ordinal));
            return Task.FromResult(new VisitGroup(AlertKinds.VisitLate, "b2c", [new("v-c1", At(-30))]));
        }, Now, "test", CancellationToken.None);
        Assert.Equal((VisitAlertChange.Updated, b2c.Alert.Id, "v-c1"), (change!.Outcome, change.Alert.Id, Visits(change.Alert)));
        Assert.Equal([("v-c1", At(-6))], await ListedAsync(connection, b2c.Alert.Id));
    }

    static DateTimeOffset At(double hours) => Now.AddHours(hours);

    static string Visits(Alert a) => string.Join(' ', a.Details.GetProperty("visits").EnumerateArray().Select(v => v.GetString()));

    static async Task<List<(string, DateTimeOffset)>> ListedAsync(NpgsqlConnection connection, long id) =>
        [.. (await connection.QueryAsync<(string VisitId, DateTime JoinedAt)>(
            "select visit_id, joined_at from alert_visits where alert_id = @id order by joined_at, visit_id", new { id }))
            .Select(r => (r.VisitId, new DateTimeOffset(DateTime.SpecifyKind(r.JoinedAt, DateTimeKind.Utc))))];

    // An alert as the service kept it before 0028, with its history; a visit's alert with its visit (hours from now).
    async Task<long> AlertAsync(string kind, string subject, string? queue, double created, double raised,
        (double At, string By, string Note)? acked = null, double? escalated = null, double? cleared = null)
    {
        await using var connection = await Db.OpenConnectionAsync();
        if (kind != AlertKinds.QueueWait)
            await connection.ExecuteAsync("insert into visits (visit_id, created_at) values (@subject, @created)",
                new { subject, created = At(created).UtcDateTime });
        var id = await connection.ExecuteScalarAsync<long>("""
            insert into alerts (kind, subject, queue, severity, state, raised_at, acknowledged_at, acknowledged_by, ack_note, escalated_at, cleared_at, details)
            values (@kind, @subject, @queue, @severity, @state, @raised, @ackedAt, @ackedBy, @note, @escalated, @cleared, @details::jsonb)
            returning id
            """,
            new
            {
                kind, subject, queue, severity = AlertKinds.Severity[kind],
                state = cleared is not null ? AlertStates.Cleared : acked is not null ? AlertStates.Acknowledged : AlertStates.Open,
                raised = At(raised).UtcDateTime, ackedAt = acked is { } a ? At(a.At).UtcDateTime : (DateTime?)null, ackedBy = acked?.By, note = acked?.Note,
                escalated = escalated is { } e ? At(e).UtcDateTime : (DateTime?)null, cleared = cleared is { } c ? At(c).UtcDateTime : (DateTime?)null,
                details = JsonSerializer.Serialize(new { value = raised - created, target = kind == AlertKinds.VisitOverdue ? 48 : 24, samples = (long?)null, window = "now" }),
            });
        await connection.ExecuteAsync("""
            insert into alert_history (alert_id, at, action, by, note)
            select @id, @raised, 'raised', 'node a', null
            union all select @id, acknowledged_at, 'acknowledged', acknowledged_by, ack_note from alerts where id = @id and acknowledged_at is not null
            union all select @id, escalated_at, 'escalated', 'node a', 'email' from alerts where id = @id and escalated_at is not null
            union all select @id, cleared_at, 'cleared', 'node a', null from alerts where id = @id and cleared_at is not null
            """, new { id, raised = At(raised).UtcDateTime });
        return id;
    }

    const int GroupedVisitAlerts = 28;

}
