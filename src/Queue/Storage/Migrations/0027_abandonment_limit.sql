-- A queue's abandonment limit (SPEC §1 `abandonment`): the abandonment rate it must stay at or under; null takes the
-- configured default (none unless Queue:Targets:Abandonment is set: shown, not judged).
alter table queue_targets add column abandonment double precision
    check (abandonment is null or (abandonment >= 0.001 and abandonment <= 0.999));
