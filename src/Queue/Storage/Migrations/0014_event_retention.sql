-- Retention of raw events (docs/adr/0007-event-partitions.md): a month past `Queue:Retention:RawEvents` is dropped whole,
-- after the idempotency keys of its events, which live apart in event_keys, have been deleted in short transactions
-- (a long one would hold back the log's horizon, ADR 0002). Where that deletion stands is kept here, so that a run cut
-- short goes on from there; the row goes with the partition. A partition detached but not yet dropped is found here too.
create table event_partition_purges (
    partition      text collate "C" primary key,
    after_tx       xid8 not null,
    after_position bigint not null,
    updated_at     timestamptz not null
);
