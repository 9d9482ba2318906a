-- Weekly report emails (SPEC §5, docs/adr/0005-weekly-report.md). The Monday send of a week is one row, claimed
-- (a row lock) before the SMTP server is asked, marked sent once it accepted: with several nodes, and after retries,
-- a week is sent once. A re-send asked for by an admin is a row of its own.
create table report_sends (
    id bigint generated always as identity primary key,
    week text collate "C" not null,
    scheduled boolean not null,
    recipients text[] not null,
    -- The same on every attempt of a send: a receiving server that dedupes by Message-Id drops a duplicate.
    message_id text not null,
    state text not null check (state in ('pending', 'sent')),
    attempts int not null default 0,
    last_error text,
    created_at timestamptz not null,
    sent_at timestamptz,
    requested_by text
);

create unique index report_sends_scheduled on report_sends (week) where scheduled;
