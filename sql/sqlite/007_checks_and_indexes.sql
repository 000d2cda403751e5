-- The same CHECK constraints, written as comparisons joined by OR. SQLite
-- tests `x IN (three or more constants)` by building a temporary b-tree of the
-- list, once per statement that writes the column: every status move of a job
-- or a task, every file and every upload paid for one (a few µs each). The
-- rules themselves do not change. Two indexes change on the way (see below).
--
-- SQLite cannot alter a constraint, so each table is rebuilt as its documents
-- describe: a new table, the rows copied, the old one dropped, the new one
-- renamed. The runner turns foreign keys off around the transaction and runs
-- PRAGMA foreign_key_check before it commits. The AUTOINCREMENT counter is
-- carried over, so an id that was handed out is never handed out again.

CREATE TABLE jobs_new (
    job_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id       TEXT NOT NULL,
    run_dir      TEXT NOT NULL,
    status       TEXT NOT NULL
                 CHECK (status = 'preparing' OR status = 'queued' OR status = 'running' OR status = 'completed'
                     OR status = 'failed' OR status = 'cancelled'),
    progress     INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    current_step TEXT,
    config       TEXT,
    output_file  TEXT,
    error        TEXT,
    created_at   TEXT NOT NULL,
    started_at   TEXT,
    finished_at  TEXT
);
INSERT INTO jobs_new (job_id, run_id, run_dir, status, progress, current_step, config, output_file, error,
    created_at, started_at, finished_at)
SELECT job_id, run_id, run_dir, status, progress, current_step, config, output_file, error, created_at, started_at,
    finished_at
FROM jobs ORDER BY job_id;
DELETE FROM sqlite_sequence WHERE name = 'jobs_new';
UPDATE sqlite_sequence SET name = 'jobs_new' WHERE name = 'jobs';
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
-- By status, then newest first: a page of one status's jobs and the sweep of
-- stale preparing jobs read only what they return, where the index by status
-- alone made them read, and sort, every job of that status.
CREATE INDEX idx_jobs_status_created ON jobs (status, created_at, job_id);
CREATE INDEX idx_jobs_created ON jobs (created_at DESC);

CREATE TABLE job_files_new (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    file_type   TEXT NOT NULL
                CHECK (file_type = 'videos' OR file_type = 'music' OR file_type = 'sounds' OR file_type = 'quotes'),
    filename    TEXT NOT NULL,
    file_path   TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    UNIQUE (job_id, file_type, filename)
);
INSERT INTO job_files_new (id, job_id, file_type, filename, file_path, uploaded_at)
SELECT id, job_id, file_type, filename, file_path, uploaded_at FROM job_files ORDER BY id;
DROP TABLE job_files;
ALTER TABLE job_files_new RENAME TO job_files;
-- idx_job_files_job is not made again: the UNIQUE index starts with job_id and
-- serves every lookup by job, the cascade from jobs too, without a second
-- index to write for every file.

CREATE TABLE youtube_uploads_new (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    video_id    TEXT NOT NULL,
    video_url   TEXT NOT NULL,
    title       TEXT,
    description TEXT,
    privacy     TEXT CHECK (privacy = 'private' OR privacy = 'unlisted' OR privacy = 'public'),
    tags        TEXT,
    category    TEXT,
    uploaded_at TEXT NOT NULL
);
INSERT INTO youtube_uploads_new (id, job_id, video_id, video_url, title, description, privacy, tags, category,
    uploaded_at)
SELECT id, job_id, video_id, video_url, title, description, privacy, tags, category, uploaded_at
FROM youtube_uploads ORDER BY id;
DROP TABLE youtube_uploads;
ALTER TABLE youtube_uploads_new RENAME TO youtube_uploads;
CREATE INDEX idx_youtube_job ON youtube_uploads (job_id);

CREATE TABLE tasks_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT NOT NULL,
    job_id           INTEGER NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    state            TEXT NOT NULL
                     CHECK (state = 'queued' OR state = 'running' OR state = 'completed' OR state = 'failed'
                         OR state = 'cancelled'),
    attempt          INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
    worker_id        TEXT,
    lease_expires_at TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested = 0 OR cancel_requested = 1),
    error            TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
INSERT INTO tasks_new (id, kind, job_id, state, attempt, max_attempts, worker_id, lease_expires_at,
    cancel_requested, error, created_at, updated_at)
SELECT id, kind, job_id, state, attempt, max_attempts, worker_id, lease_expires_at, cancel_requested, error,
    created_at, updated_at
FROM tasks ORDER BY id;
DELETE FROM sqlite_sequence WHERE name = 'tasks_new';
UPDATE sqlite_sequence SET name = 'tasks_new' WHERE name = 'tasks';
DROP TABLE tasks;
ALTER TABLE tasks_new RENAME TO tasks;
CREATE INDEX idx_tasks_job ON tasks (job_id);
CREATE INDEX idx_tasks_open ON tasks (state, kind, id) WHERE state = 'queued' OR state = 'running';
