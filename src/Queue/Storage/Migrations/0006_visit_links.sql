-- A changed call re-projects the visits that name it.
create index visits_call on visits (call_id) where call_id is not null;

-- Every call a visit was ever linked to (by its creation, or by a call's completion naming it) is a function of the
-- stored events: live state reads them to take back a visit's part from a queue it has left, whichever event moved it.
create index events_completed_visit on events ((body->>'visitId')) where type = 'call.completed' and body ? 'visitId';
