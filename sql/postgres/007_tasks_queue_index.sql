-- The queue's index by id alone, as jobs' was: with (kind, id) the planner
-- preferred walking the primary key past every finished task once its
-- statistics said most tasks were queued, and claims slowed as history grew.
-- Kinds are told apart by a filter over the few queued tasks.
DROP INDEX IF EXISTS idx_tasks_queue;
CREATE INDEX idx_tasks_queue ON tasks (id) WHERE state = 'queued';
