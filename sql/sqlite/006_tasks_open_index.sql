-- One index over the open tasks, in place of one for the queue and one for
-- the leases. A claim moves a task from queued to running inside it: while
-- the queue is short that is one index page written, not two. Heartbeats no
-- longer write an index at all: a lease is checked on the few running tasks
-- of a kind, which the index finds.
DROP INDEX idx_tasks_queue;
DROP INDEX idx_tasks_leases;
CREATE INDEX idx_tasks_open ON tasks (state, kind, id) WHERE state = 'queued' OR state = 'running';
