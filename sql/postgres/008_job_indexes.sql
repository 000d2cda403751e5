-- By status, then newest first: a page of one status's jobs and the sweep of
-- stale preparing jobs read only what they return, where the index by status
-- alone made them read, and sort, every job of that status.
CREATE INDEX idx_jobs_status_created ON jobs (status, created_at DESC, job_id DESC);
DROP INDEX IF EXISTS idx_jobs_status;
-- The UNIQUE (job_id, file_type, filename) index starts with job_id and serves
-- every lookup of a job's files, the cascade from jobs too: this one only cost
-- a second index write for every file.
DROP INDEX IF EXISTS idx_job_files_job;
-- The queue keeps its index by id (007) and gains one by kind. On a tasks
-- table never analysed (a new database, until autovacuum's first ANALYZE) the
-- planner guesses `kind = $1` keeps 1 row in 200, and with the id index alone
-- it read every queued task and sorted them at each claim. With both, it
-- walks (kind, id) then; on statistics that say most tasks are queued it
-- walks (id) as before, never the primary key past the finished tasks.
CREATE INDEX idx_tasks_queue_by_kind ON tasks (kind, id) WHERE state = 'queued';
