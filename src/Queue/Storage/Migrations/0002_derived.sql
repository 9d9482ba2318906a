-- Derived state: each row is a pure fold of its entity's events (rewritten in the transaction that
-- stores a new event of that entity), so replay, reordering and duplicates cannot change it.

create table calls (
    call_id      text primary key,
    region       text,
    language     text,
    segment      text,
    caller_hash  text,                        -- HMAC-SHA256 of the caller's digits; never the number
    last_queue   text,                        -- a completed call counts in the queue of its last leg
    legs         int not null,
    completed_at timestamptz,
    resolution   text,
    visit_id     text
);
create index calls_completed on calls (completed_at) where completed_at is not null;
create index calls_visit on calls (visit_id) where visit_id is not null;

create table legs (
    call_id    text not null references calls (call_id) on delete cascade,
    leg        int not null,                  -- 0-based, in source order
    queue      text not null,
    started_at timestamptz not null,
    ended_at   timestamptz,                   -- null while waiting
    outcome    text check (outcome in ('answered', 'abandoned', 'transferred')),
    agent_id   text,
    primary key (call_id, leg)
);
-- Only what queries use: every index is paid for on each leg written.
create index legs_ended on legs (ended_at) where ended_at is not null;

create table visits (
    visit_id     text primary key,
    call_id      text,
    region       text,
    created_at   timestamptz,                 -- null until visit.created arrives
    due24        timestamptz,
    due48        timestamptz,
    resolved_at  timestamptz,
    cancelled_at timestamptz
);
create index visits_due24 on visits (due24);
create index visits_due48 on visits (due48);

-- An agent's latest status and queue membership: each the last by (at, event id) of the events that carry it.
create table agents (
    agent_id        text primary key,
    status          text not null,
    status_at       timestamptz not null,
    status_event    text not null,
    queues          jsonb,
    queues_at       timestamptz,
    queues_event    text
);
