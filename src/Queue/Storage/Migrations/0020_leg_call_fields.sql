-- A leg carries its call's region, language and segment (as the call's first call.queued gave them), written with
-- the leg: figures filtered or broken down by them (/api/metrics, the weekly report's regions) read legs alone, where
-- joining a week's millions of legs to their calls would double the report's time.
alter table legs add column region text, add column language text, add column segment text;

-- Legs written before are filled afterwards by the service, a slice of calls at a time (Metrics/LegFieldsBackfill),
-- not here: one statement over every leg would hold the legs of live calls locked, and outlast any statement timeout.
-- The row says how far it has come (calls by id); it goes when all are done. No legs yet: nothing to fill.
create table leg_fields_backfill (after_call text collate "C" not null);
insert into leg_fields_backfill select '' where exists (select 1 from legs);
