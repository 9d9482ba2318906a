-- Identifiers compare byte by byte ("C"), as the folds order them, whatever the database's locale: a
-- btree on them then compares with memcmp instead of the locale's collation, and ties broken by id in SQL
-- agree with ties broken in the service.
alter table event_keys alter column id type text collate "C";
alter table events alter column id type text collate "C", alter column entity type text collate "C";
alter table calls alter column call_id type text collate "C", alter column last_queue type text collate "C",
    alter column visit_id type text collate "C";
alter table legs alter column call_id type text collate "C", alter column queue type text collate "C",
    alter column agent_id type text collate "C";
alter table visits alter column visit_id type text collate "C", alter column call_id type text collate "C";
alter table agents alter column agent_id type text collate "C", alter column status_event type text collate "C",
    alter column queues_event type text collate "C";
