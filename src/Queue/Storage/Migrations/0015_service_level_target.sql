-- A queue's service-level target: the share of offered calls to answer within its service-level time (null: the
-- configured default, which is none unless Queue:Targets:ServiceLevel is set).
alter table queue_targets add column service_level_share double precision
    check (service_level_share is null or (service_level_share >= 0.01 and service_level_share <= 0.999));
