-- Offers an agent did not take (call.missed), derived like legs: each a pure fold of its call's events (rewritten in the
-- transaction that stores a new event of the call), numbered in source order, in the queue of the call's latest leg
-- begun by then (null while no leg is known). Agents' missed offers over a window are counted from here (/api/agents/report).
create table missed_offers (
    call_id  text not null references calls (call_id) on delete cascade,
    offer    int not null,                  -- 0-based, in source order
    agent_id text not null,
    at       timestamptz not null,
    queue    text,
    primary key (call_id, offer)
);
-- The report reads a window's offers by time.
create index missed_offers_at on missed_offers (at);

-- Offers stored before this table: the same fold, from the events and the legs already derived. A leg begins with
-- call.queued or call.transferred, both ordered before call.missed at the same instant, so the latest leg begun at or
-- before the offer is the one it was waiting in.
insert into missed_offers (call_id, offer, agent_id, at, queue)
select m.call_id, m.offer, m.agent_id, m.at,
       (select l.queue from legs l where l.call_id = m.call_id and l.started_at <= m.at order by l.leg desc limit 1)
from (
    select substr(e.entity, 3) as call_id, e.body->>'agentId' as agent_id, e.at,
           (row_number() over (partition by e.entity order by e.at, e.id collate "C") - 1)::int as offer
    from events e
    where e.type = 'call.missed'
) m
where exists (select 1 from calls c where c.call_id = m.call_id);
