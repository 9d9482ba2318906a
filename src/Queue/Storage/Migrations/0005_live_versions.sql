-- Live state (Redis) is a projection of these rows. Each write of a call, visit or agent takes a number from one
-- sequence, under the lock that serialises writes of that entity, so a later state of an entity always carries a
-- larger number than any earlier state of anything: a projector can refuse to apply an older state over a newer one.
create sequence live_version;

alter table calls add column version bigint not null default nextval('live_version'),
                  -- every queue any of the call's events named (grow-only): the queues whose live state it may touch
                  add column queues_seen text[] collate "C" not null default '{}';
alter table visits add column version bigint not null default nextval('live_version');
alter table agents add column version bigint not null default nextval('live_version'),
                   add column queues_seen text[] collate "C" not null default '{}';

-- Rebuilding live state reads the calls that ended, completed or still wait within the live horizon.
create index legs_waiting on legs (call_id) where ended_at is null;
create index visits_open on visits (visit_id) where resolved_at is null and cancelled_at is null;
