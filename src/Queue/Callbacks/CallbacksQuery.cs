using Dapper;
using Npgsql;
using Queue.Figures;

namespace Queue.Callbacks;

/// <summary>
/// A caller to call back: the latest call they abandoned (after waiting at least the short-abandon threshold), and how
/// many times they tried since they were last answered. <see cref="CallerKnown"/> false: the call carried no caller,
/// so it stands alone (the PBX or CRM maps the call id to a number; Queue keeps none).
/// </summary>
public sealed record Callback(string CallId, string Queue, DateTimeOffset AbandonedAt, double WaitSeconds, int Attempts, bool CallerKnown);

/// <summary>The callers to call back since <see cref="Since"/>, as of <see cref="AsOf"/>, of one queue or the whole center.</summary>
public sealed record CallbackList(DateTimeOffset Since, DateTimeOffset AsOf, string? Queue, IReadOnlyList<Callback> Callers);

/// <summary>
/// SPEC §10's callers to call back, from PostgreSQL: abandoned legs (not short abandons, each judged by its queue's
/// threshold) whose caller — by the caller's keyed hash — has not been answered since, in any queue. A caller answered
/// later leaves the list by itself; one who tried several times is one row (their latest attempt, in that attempt's
/// queue) with the number of attempts since their last answer.
/// </summary>
internal sealed class CallbacksQuery(NpgsqlDataSource db)
{
    public const int Limit = 5_000;

    static readonly string Sql = $"""
        with abandoned as (
            select l.call_id, l.queue, l.ended_at, extract(epoch from {FigureSql.Wait})::float8 as wait, c.caller_hash
            from legs l
            join calls c on c.call_id = l.call_id
            left join queue_targets t on t.queue = l.queue
            where l.outcome = 'abandoned' and l.ended_at >= @since and l.ended_at <= @now
              and not ({LegRules.ShortAbandonSql(FigureSql.Wait, "coalesce(t.short_abandon, @short)")})
        ), answered as (
            select c.caller_hash, max(l.ended_at) as at
            from legs l
            join calls c on c.call_id = l.call_id
            where l.outcome = 'answered' and l.ended_at >= @since
              and c.caller_hash in (select caller_hash from abandoned where caller_hash is not null)
            group by c.caller_hash
        ), waiting as (
            select a.*, coalesce(a.caller_hash, 'call:' || a.call_id) as who
            from abandoned a
            left join answered x on x.caller_hash = a.caller_hash
            where x.at is null or x.at < a.ended_at
        ), ranked as (
            select w.*, count(*) over (partition by who) as attempts,
                   row_number() over (partition by who order by ended_at desc, call_id desc) as n
            from waiting w
        )
        select call_id, queue, ended_at, wait, attempts::int, caller_hash is not null as caller_known
        from ranked
        where n = 1 and (@queue::text is null or queue = @queue) and (@team::text[] is null or queue = any(@team))
        order by ended_at desc, call_id
        limit {Limit}
        """;

    /// <summary>Of one queue, or of the team's queues (a scoped key's), or with neither of the whole center.</summary>
    public async Task<IReadOnlyList<Callback>> ListAsync(string? queue, IReadOnlyList<string>? team, DateTimeOffset since, DateTimeOffset now,
        TimeSpan shortAbandon, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(Sql,
            new { queue, team = team?.ToArray(), since = since.UtcDateTime, now = now.UtcDateTime, @short = shortAbandon }, cancellationToken: ct));
        return [.. rows.Select(r => new Callback(r.Call_Id, r.Queue, new DateTimeOffset(DateTime.SpecifyKind(r.Ended_At, DateTimeKind.Utc)),
            r.Wait, r.Attempts, r.Caller_Known))];
    }

    sealed record Row(string Call_Id, string Queue, DateTime Ended_At, double Wait, int Attempts, bool Caller_Known);
}
