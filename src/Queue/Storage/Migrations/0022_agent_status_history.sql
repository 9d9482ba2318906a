-- Live staffing times agents' wrap-up (ADR 0006): an episode runs from an agent's wrap_up status to its next status,
-- whatever that is. Projecting an agent reads its status events of the last hour (at most the latest 61) and the one
-- before them, with its row, by this index: one more entry for each agent status event stored, as each call event
-- already makes in events_entity.
-- Building it scans the whole event log and holds inserts meanwhile (~1 M events a second here). A long log can have
-- it built beforehand without holding them, partition by partition (docs/scaling.md); this then skips it.
create index if not exists events_agent_status on events (entity, at) where type = 'agent.status';
