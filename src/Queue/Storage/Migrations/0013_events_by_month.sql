-- The event bodies, range-partitioned by `at`, one partition per calendar month in UTC (docs/adr/0007-event-partitions.md),
-- so that retention drops whole months instead of deleting rows. Uniqueness of an event's id stays in event_keys, which
-- is not partitioned (ADR 0001): a unique index on a partitioned table must contain the partition key, and (id, at)
-- would let the same id with another instant pass as new.
--
-- An existing table is converted in place: every row is copied with its position and transaction id, so a follower's
-- cursor (tx, position) stays valid, and the identity goes on after the highest position ever handed out. The indexes
-- are built after the copy, which is faster than maintaining them row by row. Ingest waits on the table's lock meanwhile.

alter table events rename to events_unpartitioned;
alter index events_pkey rename to events_unpartitioned_pkey;
alter index events_entity rename to events_unpartitioned_entity;
alter index events_completed_visit rename to events_unpartitioned_completed_visit;
alter sequence events_position_seq rename to events_unpartitioned_position_seq;

create table events (
    position    bigint generated always as identity,
    tx          xid8 not null default pg_current_xact_id(),
    id          text collate "C" not null,
    type        text not null,
    at          timestamptz not null,
    entity      text collate "C" not null,
    body        jsonb not null,
    received_at timestamptz not null default now()
) partition by range (at);

-- Makes sure a partition exists for every month from `from_month` to `to_month` (UTC months, both included); answers how
-- many it created. A partition is created apart and then attached, which takes a SHARE UPDATE EXCLUSIVE lock on `events`:
-- inserts and reads go on meanwhile (CREATE TABLE … PARTITION OF would lock them out). Several nodes may call it at once:
-- they take turns on an advisory lock, and the later ones find the months there.
create function ensure_event_partitions(from_month timestamptz, to_month timestamptz) returns integer
language plpgsql as $$
declare
    m timestamp := date_trunc('month', from_month at time zone 'UTC');
    last_m timestamp := date_trunc('month', to_month at time zone 'UTC');
    name text;
    made integer := 0;
begin
    perform pg_advisory_xact_lock(5860666722813563476); -- 0x5155455550415254, "QUEUPART"
    while m <= last_m loop
        name := 'events_' || to_char(m, 'YYYY_MM');
        if not exists (select from pg_inherits i join pg_class c on c.oid = i.inhrelid
                       where i.inhparent = 'events'::regclass and c.relname = name) then
            execute format('create table %I (like events including defaults including constraints)', name);
            execute format('alter table events attach partition %I for values from (%L) to (%L)', name,
                (m at time zone 'UTC')::text, ((m + interval '1 month') at time zone 'UTC')::text);
            made := made + 1;
        end if;
        m := m + interval '1 month';
    end loop;
    return made;
end
$$;

-- Every month the old table has rows in, and the months around now that ingest may write to (7 days back, the default
-- lateness; two months ahead). The service makes sure of its own months again at start-up, by its clock and settings.
select ensure_event_partitions(least(min(at), now() - interval '7 days'), greatest(max(at), now() + interval '2 months'))
from events_unpartitioned;

insert into events (position, tx, id, type, at, entity, body, received_at) overriding system value
select position, tx, id, type, at, entity, body, received_at from events_unpartitioned;

-- Positions go on from the last one handed out (rolled-back batches took some that no row holds).
select setval(pg_get_serial_sequence('events', 'position'), s.last_value, s.is_called)
from events_unpartitioned_position_seq s;

-- The log is followed by (tx, position) (ADR 0002); each partition's key leads with them, so the follower reads every
-- partition's index in order and merges them. `at` is in the key only because a partitioned key must hold it.
alter table events add primary key (tx, position, at);
create index events_entity on events (entity) where type <> 'agent.status';
create index events_completed_visit on events ((body->>'visitId')) where type = 'call.completed' and body ? 'visitId';

drop table events_unpartitioned;
