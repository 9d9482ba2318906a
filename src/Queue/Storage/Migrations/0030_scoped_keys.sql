-- A wallboard or supervisor key may be scoped to a set of queues (a team): it then sees those queues only, and the
-- center as their sum. Null: every queue. Only reading roles may be scoped (an ingest or admin key scoped to queues
-- would promise a limit nothing enforces).
alter table api_keys add column if not exists queues text[];
alter table api_keys drop constraint if exists api_keys_queues_check;
alter table api_keys add constraint api_keys_queues_check
    check (queues is null or (role in ('wallboard', 'supervisor') and cardinality(queues) between 1 and 100));
