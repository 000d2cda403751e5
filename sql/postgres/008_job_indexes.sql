-- By status, then newest first: a page of one status's jobs and the sweep of
-- stale preparing jobs read only what they return, where the index by status
-- alone made them read, and sort, every job of that status.
CREATE INDEX idx_jobs_status_created ON jobs (status, created_at DESC, job_id DESC);
DROP INDEX IF EXISTS idx_jobs_status;
-- The UNIQUE (job_id, file_type, filename) index starts with job_id and serves
-- every lookup of a job's files, the cascade from jobs too: this one only cost
-- a second index write for every file.
DROP INDEX IF EXISTS idx_job_files_job;
