-- Times migration 0013 (the event log converted to monthly partitions) on a populated table.
-- On a database kept by `ops/bench ingest --keep-databases` (queue_bench_<pid>):
--   psql -h 127.0.0.1 -U queue -d queue_bench_<pid> -v copies=10 -f ops/measure/event-log-conversion.sql
-- First the table is put back as it was before 0013 (0001, 0004, 0006) holding `copies` copies of the benchmark's
-- events under new ids; then 0013 runs in one transaction, each statement timed. The database is left converted.
\set ON_ERROR_STOP on
create table events_bench as select * from events;
drop table events cascade;
drop function ensure_event_partitions(timestamptz, timestamptz);
create table events (
    position bigint generated always as identity, tx xid8 not null default pg_current_xact_id(),
    id text collate "C" not null, type text not null, at timestamptz not null, entity text collate "C" not null,
    body jsonb not null, received_at timestamptz not null default now(), primary key (tx, position));
insert into events (id, type, at, entity, body, received_at)
select id || '~' || n, type, at, entity || '~' || n, body, received_at from events_bench, generate_series(1, :copies) n;
create index events_entity on events (entity) where type <> 'agent.status';
create index events_completed_visit on events ((body->>'visitId')) where type = 'call.completed' and body ? 'visitId';
drop table events_bench;
-- Their idempotency keys, for ops/measure/event-key-purge.sql.
insert into event_keys (id, content_hash, at) select id, '\x00', at from events;
vacuum analyze events;
vacuum analyze event_keys;
select count(*) as events, pg_size_pretty(pg_total_relation_size('events')) as size from events;
checkpoint;
\timing on
begin;
\i src/Queue/Storage/Migrations/0013_events_by_month.sql
commit;
