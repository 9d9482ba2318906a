-- A weekly report is never silently different from the figures (/api/metrics) of its week. Events may arrive late
-- (within the lateness, or history of any age from a key of role import): every version of a week's report made is
-- kept, weekly_reports holding the latest; a send records the version it sent, which stays on record.
create table weekly_report_versions (
    week text collate "C" not null,
    version int not null,
    made_at timestamptz not null,
    report jsonb not null,
    primary key (week, version)
);
insert into weekly_report_versions (week, version, made_at, report) select week, 1, made_at, report from weekly_reports;
alter table weekly_reports add column version int not null default 1;

alter table report_sends add column version int;
update report_sends set version = 1;

-- Weeks that are over whose figures a committed batch may have changed, marked by ingest in the batch's transaction.
-- The next read of such a week makes its report again and keeps a new version if anything differs; it then clears
-- the mark it read, and only that one (a batch that marked the week again meanwhile leaves its own mark).
create sequence report_change_mark;
create table report_weeks_changed (
    week text collate "C" primary key,
    mark bigint not null,
    changed_at timestamptz not null
);
