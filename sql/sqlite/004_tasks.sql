-- One table of leased background work for every kind (render, youtube_upload):
-- claimed by a worker for a lease its heartbeats renew, rescued when the lease
-- runs out, failed after the task's own max_attempts, cancelled through the row.
-- A kind keeps what is its own elsewhere: a render's status and progress stay
-- in jobs, an upload's session and bytes in youtube_upload_tasks (keyed by the
-- task's id). Existing upload tasks keep their ids; queued and running jobs get
-- a render task carrying their lease.
CREATE TABLE tasks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT NOT NULL,
    job_id           INTEGER NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    attempt          INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
    worker_id        TEXT,
    lease_expires_at TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
    error            TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX idx_tasks_job ON tasks (job_id);
CREATE INDEX idx_tasks_queue ON tasks (kind, id) WHERE state = 'queued';
CREATE INDEX idx_tasks_leases ON tasks (lease_expires_at) WHERE state = 'running';

INSERT INTO tasks (id, kind, job_id, state, attempt, max_attempts, worker_id, lease_expires_at, error, created_at,
    updated_at)
SELECT id, 'youtube_upload', job_id,
    CASE state WHEN 'pending' THEN 'queued' WHEN 'uploading' THEN 'running' ELSE state END,
    attempt, MAX(attempt, 3), worker_id, lease_expires_at, error, created_at, updated_at
FROM youtube_upload_tasks ORDER BY id;

INSERT INTO tasks (kind, job_id, state, attempt, max_attempts, worker_id, lease_expires_at, cancel_requested,
    created_at, updated_at)
SELECT 'render', job_id, status, attempt, 3, worker_id, lease_expires_at, cancel_requested, created_at,
    COALESCE(started_at, created_at)
FROM jobs WHERE status IN ('queued', 'running') ORDER BY job_id;

CREATE TABLE youtube_upload_details (
    id          INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    request     TEXT NOT NULL,
    session_url TEXT,
    bytes_sent  INTEGER NOT NULL DEFAULT 0,
    total_bytes INTEGER NOT NULL DEFAULT 0,
    video_id    TEXT
);
INSERT INTO youtube_upload_details (id, request, session_url, bytes_sent, total_bytes, video_id)
SELECT id, request, session_url, bytes_sent, total_bytes, video_id FROM youtube_upload_tasks;
DROP TABLE youtube_upload_tasks;
ALTER TABLE youtube_upload_details RENAME TO youtube_upload_tasks;

DROP INDEX idx_jobs_queue;
DROP INDEX idx_jobs_leases;
ALTER TABLE jobs DROP COLUMN worker_id;
ALTER TABLE jobs DROP COLUMN attempt;
ALTER TABLE jobs DROP COLUMN lease_expires_at;
ALTER TABLE jobs DROP COLUMN cancel_requested;
