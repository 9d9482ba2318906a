-- The earliest instant of each call's and visit's stored events. Ingest reads an entity's other events from there on,
-- so that the event log's older months (partitions, 0013) are not searched for it; and an entity with no row has no
-- stored events, so nothing is searched for a new one (docs/adr/0007). Set when the row is made, lowered by an event
-- earlier than every stored one. Null in rows made before this column: their events are read from the first month.
alter table calls add column events_from timestamptz;
alter table visits add column events_from timestamptz;
