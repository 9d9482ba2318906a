-- Weekly reports as made (SPEC §5): a week over is made once and kept, so a re-send or a later download gives the
-- same document, whatever arrives late.
create table weekly_reports (
    week text collate "C" primary key,
    made_at timestamptz not null,
    report jsonb not null
);
