-- The weekly report groups a week's millions of legs and calls by queue, region and day in the center's time. Without
-- statistics on that day the planner takes it for as many groups as rows: its parallel workers then hand every row to
-- one process to group (a 10,000-operator week: 7 million legs through one core). Told how few days there are, each
-- worker groups its share first. The statistics hold for the default center zone (Queue:Live:TimeZone); a center in
-- another zone gets the same figures, grouped the slower way, unless statistics like these are made for its zone.
create statistics legs_center_day on ((ended_at at time zone 'Asia/Yekaterinburg')::date) from legs;
create statistics calls_center_day on ((completed_at at time zone 'Asia/Yekaterinburg')::date) from calls;
-- Filled by a sample now (a second or so on a large table), and by autovacuum from then on.
analyze legs;
analyze calls;
