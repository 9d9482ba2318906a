-- Escalation (ADR 0004): an alert left open and unacknowledged too long is escalated once, by email and to
-- webhooks. escalated_at is set by the one statement that escalates it, which is what makes it once across nodes.
alter table alerts add column escalated_at timestamptz;
-- The escalator looks only at open alerts not escalated yet: a handful, however long the history.
create index alerts_to_escalate on alerts (raised_at) where state = 'open' and escalated_at is null;

-- The outbox: a notification to send, written in the transaction that escalates its alert, sent afterwards by
-- whichever node claims it first, retried with back-off until sent or given up.
create table notifications (
    id bigint generated always as identity primary key,
    alert_id bigint not null references alerts (id),
    channel text not null check (channel in ('email', 'webhook')),
    -- 'email', or the webhook's configured name (its URL and secret stay in the configuration).
    target text not null,
    -- What is sent: the alert as it was when escalated.
    payload jsonb not null,
    attempts int not null default 0,
    next_attempt_at timestamptz not null,
    last_error text,
    sent_at timestamptz,
    failed_at timestamptz,
    created_at timestamptz not null
);
create index notifications_due on notifications (next_attempt_at) where sent_at is null and failed_at is null;
create index notifications_alert on notifications (alert_id);
