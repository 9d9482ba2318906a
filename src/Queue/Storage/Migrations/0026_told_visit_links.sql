-- A call's outcome told after it (call.resolution) may name its visit too, and name another when told again: live
-- state reads those links as it reads the completions' (0006), to move a visit into its call's queue and out again.
create index events_told_visit on events ((body->>'visitId')) where type = 'call.resolution' and body ? 'visitId';
