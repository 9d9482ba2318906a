-- Alerts (SPEC §4): at most one open alert per (kind, subject), enforced here rather than hoped for, and every
-- change of an alert kept in its history.
create table alerts (
    id bigint generated always as identity primary key,
    kind text collate "C" not null,
    -- What the alert is about: a queue name for queue kinds, a visit id for visit kinds.
    subject text collate "C" not null,
    -- The queue it shows under (a visit's queue; null for a visit with no call).
    queue text collate "C",
    severity text not null check (severity in ('warning', 'breach')),
    state text not null check (state in ('open', 'acknowledged', 'cleared')),
    raised_at timestamptz not null,
    acknowledged_at timestamptz,
    acknowledged_by text,
    ack_note text,
    cleared_at timestamptz,
    -- The figures behind it when raised: the value, the target, the window.
    details jsonb not null default '{}'
);
create unique index alerts_one_open on alerts (kind, subject) where state <> 'cleared';
create index alerts_raised on alerts (raised_at);

create table alert_history (
    alert_id bigint not null references alerts (id),
    at timestamptz not null,
    action text not null check (action in ('raised', 'acknowledged', 'cleared', 'escalated')),
    by text not null,
    note text
);
create index alert_history_alert on alert_history (alert_id, at);
