-- Live staffing times agents' wrap-up (ADR 0006): an episode runs from an agent's wrap_up status to its next status,
-- so live state reads each agent's status events of the last hour, and the one before them.
create index events_agent_status on events (entity, at) where type = 'agent.status';
