-- An agent's latest status keeps its reason (a pause code), as the event that set it told it: null when none was given.
alter table agents add column if not exists status_reason text;
