-- The event log: the system of record. See docs/adr/0001-event-store.md for why the idempotency keys
-- live apart from the bodies (so the bodies can be partitioned by time without losing a global unique id).

create table event_keys (
    id           text primary key,           -- the producer's idempotency key
    content_hash bytea not null,             -- SHA-256 of the parsed content: same id + other hash = conflict
    at           timestamptz not null
);

create table events (
    -- Positions are handed out before commit, so they become visible out of order; transaction ids below
    -- the oldest one still running belong to ended transactions, whose events are all visible. The log is
    -- followed by (tx, position) up to that horizon (docs/adr/0002-following-the-log.md).
    position    bigint generated always as identity,
    tx          xid8 not null default pg_current_xact_id(),
    id          text not null,
    type        text not null,
    at          timestamptz not null,
    entity      text not null,               -- c:<callId> | v:<visitId> | a:<agentId>: what the event folds into
    body        jsonb not null,              -- the parsed event; the caller's number only as its keyed hash
    received_at timestamptz not null default now(),
    primary key (tx, position)
);

-- Folding a call or visit reads all of its events. Agents' events (half of a day's traffic) are never read
-- back that way: an agent's state is the latest status, merged in place.
create index events_entity on events (entity) where type <> 'agent.status';
