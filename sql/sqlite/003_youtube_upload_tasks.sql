-- A YouTube upload as background work: queued by the API, claimed by a
-- worker for a lease, resumable through its session URL after any failure,
-- and recorded in youtube_uploads once, when it completes.
CREATE TABLE youtube_upload_tasks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id           INTEGER NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'uploading', 'completed', 'failed')),
    request          TEXT NOT NULL,
    session_url      TEXT,
    bytes_sent       INTEGER NOT NULL DEFAULT 0,
    total_bytes      INTEGER NOT NULL DEFAULT 0,
    video_id         TEXT,
    error            TEXT,
    worker_id        TEXT,
    attempt          INTEGER NOT NULL DEFAULT 0,
    lease_expires_at TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX idx_upload_tasks_job ON youtube_upload_tasks (job_id);
CREATE INDEX idx_upload_tasks_pending ON youtube_upload_tasks (id) WHERE state = 'pending';
CREATE INDEX idx_upload_tasks_leases ON youtube_upload_tasks (lease_expires_at) WHERE state = 'uploading';
