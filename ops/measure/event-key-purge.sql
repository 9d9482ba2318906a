-- Times retention's deletion of one month's idempotency keys (EventPartitions.PurgeKeysAsync: batches walking the
-- partition's key, each its own transaction recording how far it got), without dropping the month.
-- After ops/measure/event-log-conversion.sql, on the same database:
--   psql -h 127.0.0.1 -U queue -d queue_bench_<pid> -v partition=events_2026_11 -v batch=10000 -f ops/measure/event-key-purge.sql
\set ON_ERROR_STOP on
select count(*) as keys_before from event_keys;
create or replace procedure purge_keys_measured(part text, batch int) language plpgsql as $$
declare t xid8 := '0'; p bigint := 0;
begin
  loop
    execute format($q$
      with b as (select tx, position, id, at from %I where (tx, position) > ($1, $2) order by tx, position limit $3),
           purged as (delete from event_keys k using b where k.id = b.id and k.at = b.at returning 1),
           progress as (insert into event_partition_purges (partition, after_tx, after_position, updated_at)
                        select $4, tx, position, now() from b order by tx desc, position desc limit 1
                        on conflict (partition) do update
                          set after_tx = excluded.after_tx, after_position = excluded.after_position, updated_at = excluded.updated_at
                        returning after_tx, after_position)
      select (select after_tx from progress), (select after_position from progress)$q$, part)
      into t, p using t, p, batch, part;
    exit when t is null;
    commit;
  end loop;
end $$;
checkpoint;
\timing on
call purge_keys_measured(:'partition', :batch);
\timing off
select count(*) as keys_after from event_keys;
delete from event_partition_purges where partition = :'partition';
drop procedure purge_keys_measured(text, int);
