-- The UNIQUE (job_id, file_type, filename) index starts with job_id and serves
-- every lookup of a job's files, the cascade from jobs too: this one only cost
-- a second index write for every file.
DROP INDEX IF EXISTS idx_job_files_job;
