-- The transaction that stored each event, for following the log in commit-safe order (docs/adr/0002).
-- Positions are handed out before commit, so they become visible out of order; transaction ids below the
-- oldest one still running belong to transactions that have ended, whose events are all visible.
alter table events add column tx xid8 not null default pg_current_xact_id();
create index events_feed on events (tx, position);
