-- Targets and thresholds per queue (SPEC §1, §3): a row holds what an admin set for one queue; a null column takes
-- the default from configuration (Queue:Targets), so changing a default moves every queue that did not set its own.
create table queue_targets (
    queue text collate "C" primary key,
    wait interval check (wait >= interval '1 second' and wait <= interval '1 hour'),
    remote float8 check (remote > 0 and remote <= 1),
    visit24 float8 check (visit24 > 0 and visit24 <= 1),
    visit48 float8 check (visit48 > 0 and visit48 <= 1),
    service_level interval check (service_level >= interval '1 second' and service_level <= interval '1 hour'),
    short_abandon interval check (short_abandon >= interval '0' and short_abandon <= interval '2 minutes'),
    minimum_sample integer check (minimum_sample between 1 and 10000),
    updated_at timestamptz not null,
    updated_by text not null
);
