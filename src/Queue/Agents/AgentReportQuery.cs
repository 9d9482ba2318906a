using Dapper;
using Npgsql;
using Queue.Events;

namespace Queue.Agents;

/// <summary>Reads what an agents report needs over a window from PostgreSQL; <see cref="AgentReport"/> makes the report.</summary>
internal sealed class AgentReportQuery(NpgsqlDataSource db)
{
    // Every agent's status events in the window, the last one before it, and the last one before it that named queues:
    // each read agent by agent by the index on agents' status events (migration 0022).
    const string MarksSql = """
        select x.body::text from agents a cross join lateral (
            select body from events where type = 'agent.status' and entity = 'a:' || a.agent_id and at >= @from and at < @to
        ) x
        union all
        select x.body::text from agents a cross join lateral (
            select body from events where type = 'agent.status' and entity = 'a:' || a.agent_id and at < @from
            order by at desc, id desc limit 1
        ) x
        union all
        select x.body::text from agents a cross join lateral (
            select body from events where type = 'agent.status' and entity = 'a:' || a.agent_id and at < @from and body ? 'queues'
            order by at desc, id desc limit 1
        ) x
        """;

    const string AnsweredSql = """
        select agent_id, queue, ended_at as at from legs
        where outcome = 'answered' and agent_id is not null and ended_at >= @from and ended_at < @to
        """;

    // As live state counts an agent's handle time: the call's last leg answered, and the call completed after the answer.
    const string TalksSql = """
        select l.agent_id, l.queue, l.ended_at as answered_at, c.completed_at
        from calls c join legs l on l.call_id = c.call_id and l.leg = c.legs - 1
        where c.completed_at >= @from and c.completed_at < @to
          and l.outcome = 'answered' and l.agent_id is not null and c.completed_at >= l.ended_at
        """;

    const string MissedSql = "select agent_id, at, queue from missed_offers where at >= @from and at < @to";

    public async Task<IReadOnlyList<AgentTally>> ReportAsync(ReportScope scope, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var args = new { from = scope.From.UtcDateTime, to = scope.To.UtcDateTime };
        await using var read = await connection.QueryMultipleAsync(new CommandDefinition(
            string.Join(";\n", MarksSql, AnsweredSql, TalksSql, MissedSql), args, cancellationToken: ct));
        var marks = (await read.ReadAsync<string>()).Select(body => EventJson.Read(body)).OfType<AgentStatusChanged>()
            .Select(e => new StatusMark(e.AgentId, e.Id, e.At, e.Status, e.Reason, e.Queues)).ToList();
        var answered = (await read.ReadAsync<AnsweredRow>()).Select(r => new AnsweredLeg(r.Agent_Id, r.Queue, Utc(r.At))).ToList();
        var talks = (await read.ReadAsync<TalkRow>()).Select(r => new Talk(r.Agent_Id, r.Queue, Utc(r.Answered_At), Utc(r.Completed_At))).ToList();
        var missed = (await read.ReadAsync<MissedRow>()).Select(r => new MissedOffer(r.Agent_Id, Utc(r.At), r.Queue)).ToList();
        return AgentReport.Of(scope, new ReportInput(marks, answered, talks, missed));
    }

    static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    sealed record AnsweredRow(string Agent_Id, string Queue, DateTime At);

    sealed record TalkRow(string Agent_Id, string Queue, DateTime Answered_At, DateTime Completed_At);

    sealed record MissedRow(string Agent_Id, DateTime At, string? Queue);
}
