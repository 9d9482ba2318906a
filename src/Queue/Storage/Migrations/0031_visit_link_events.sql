-- Live state follows each changed call to every visit its completions and told outcomes ever named (LiveSource's linked
-- visits). Read by entity through events_entity, that is every other event of each call on the page (a second read of
-- their history for what is ~5% of completions); this index holds only the events that name a visit, one entry for
-- each of those, and makes the read a lookup.
-- Building it scans the whole event log and holds inserts meanwhile; a long log can have it built beforehand, partition
-- by partition, as migration 0022 (docs/scaling.md); this then skips it.
create index if not exists events_visit_links on events (entity)
    where type in ('call.completed', 'call.resolution') and body ? 'visitId';
