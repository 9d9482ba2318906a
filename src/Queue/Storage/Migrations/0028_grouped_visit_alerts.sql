-- Visit alerts grouped (SPEC §4): one visit.late and one visit.overdue alert per queue, listing the queue's visits past
-- the deadline, instead of an alert per visit. Its subject is the queue, or '~' for the visits with no call (no queue
-- can be named so). alert_visits holds every visit an alert not cleared lists (its details name only the first 200);
-- each visit joining and leaving is a history row naming the visit in its note.
create table alert_visits (
    alert_id bigint not null references alerts (id),
    visit_id text collate "C" not null,
    joined_at timestamptz not null,
    primary key (alert_id, visit_id)
);

alter table alert_history drop constraint alert_history_action_check;
alter table alert_history add constraint alert_history_action_check
    check (action in ('raised', 'joined', 'left', 'acknowledged', 'escalated', 'cleared'));

-- An install's alerts of one visit each, not cleared, become one per kind and queue. The group is acknowledged only if
-- every alert merged into it was (a visit nobody acknowledged still needs someone to look), with the latest of those
-- acknowledgements; it counts as escalated, from the first escalation, only if every one of them left open was
-- escalated already (otherwise it escalates when due, from its earliest raising). Each merged alert is cleared, its
-- history saying into which alert it went.
create temporary table merging on commit drop as
select a.id, a.kind, coalesce(a.queue, '~') as subject, a.queue, a.severity, a.subject as visit_id, a.state, a.raised_at,
       a.acknowledged_at, a.acknowledged_by, a.ack_note, a.escalated_at, v.created_at
from alerts a left join visits v on v.visit_id = a.subject
where a.kind in ('visit.late', 'visit.overdue') and a.state <> 'cleared';

-- Cleared before the groups are raised: a visit id may be spelt like a queue's name, and the index allowing one alert
-- not cleared per kind and subject holds all through.
update alerts set state = 'cleared', cleared_at = now() where id in (select id from merging);

insert into alerts (kind, subject, queue, severity, state, raised_at, acknowledged_at, acknowledged_by, ack_note, escalated_at, details)
select kind, subject, min(queue), min(severity),
       case when bool_and(state = 'acknowledged') then 'acknowledged' else 'open' end,
       min(raised_at),
       case when bool_and(state = 'acknowledged') then max(acknowledged_at) end,
       case when bool_and(state = 'acknowledged') then (array_agg(acknowledged_by order by acknowledged_at desc))[1] end,
       case when bool_and(state = 'acknowledged') then (array_agg(ack_note order by acknowledged_at desc))[1] end,
       case when bool_and(state = 'acknowledged' or escalated_at is not null) then min(escalated_at) end,
       jsonb_build_object(
           'value', extract(epoch from now() - min(created_at)) / 3600,
           'target', case kind when 'visit.overdue' then 48 else 24 end,
           'samples', count(*),
           'window', 'now',
           'visits', to_jsonb((array_agg(visit_id order by created_at, visit_id))[1:200]))
from merging
group by kind, subject;

create temporary table merged on commit drop as
select m.*, g.id as into_id, g.raised_at as group_raised_at
from merging m join alerts g on g.kind = m.kind and g.subject = m.subject and g.state <> 'cleared';

insert into alert_visits (alert_id, visit_id, joined_at)
select into_id, visit_id, raised_at from merged;

insert into alert_history (alert_id, at, action, by, note)
select into_id, min(group_raised_at), 'raised', 'migration 0028', 'merged from alerts ' || string_agg('#' || id, ', ' order by id)
from merged group by into_id
union all
select into_id, raised_at, 'joined', 'migration 0028', visit_id from merged
union all
select g.id, g.acknowledged_at, 'acknowledged', g.acknowledged_by, g.ack_note
from alerts g where g.id in (select into_id from merged) and g.state = 'acknowledged'
union all
select g.id, g.escalated_at, 'escalated', 'migration 0028',
       'as alert #' || (select min(m.id) from merged m where m.into_id = g.id and m.escalated_at = g.escalated_at)
from alerts g where g.id in (select into_id from merged) and g.escalated_at is not null
union all
select id, now(), 'cleared', 'migration 0028', 'merged into alert #' || into_id from merged;
