-- The history of jobs, their files and YouTube uploads. Table and column names
-- and meanings are those of README.Database.md, so its sqlite3 queries still work.
-- Timestamps are UTC text, YYYY-MM-DDTHH:MM:SS.ffffffZ: text order is time order.

-- AUTOINCREMENT: a deleted job's id is never handed out again.
CREATE TABLE jobs (
    job_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id       TEXT NOT NULL,
    run_dir      TEXT NOT NULL,
    status       TEXT NOT NULL
                 CHECK (status IN ('preparing', 'queued', 'running', 'completed', 'failed', 'cancelled')),
    progress     INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    current_step TEXT,
    config       TEXT,
    output_file  TEXT,
    error        TEXT,
    created_at   TEXT NOT NULL,
    started_at   TEXT,
    finished_at  TEXT
);
CREATE INDEX idx_jobs_status ON jobs (status);
CREATE INDEX idx_jobs_created ON jobs (created_at DESC);

-- Files and uploads use plain rowids: AUTOINCREMENT costs a page write on every
-- insert, and nothing refers to a file or upload by an id once it is deleted.
CREATE TABLE job_files (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    file_type   TEXT NOT NULL CHECK (file_type IN ('videos', 'music', 'sounds', 'quotes')),
    filename    TEXT NOT NULL,
    file_path   TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    UNIQUE (job_id, file_type, filename)
);
CREATE INDEX idx_job_files_job ON job_files (job_id);

CREATE TABLE youtube_uploads (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    video_id    TEXT NOT NULL,
    video_url   TEXT NOT NULL,
    title       TEXT,
    description TEXT,
    privacy     TEXT CHECK (privacy IN ('private', 'unlisted', 'public')),
    tags        TEXT,
    category    TEXT,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX idx_youtube_job ON youtube_uploads (job_id);

CREATE TABLE youtube_credentials (
    user_id          TEXT PRIMARY KEY,
    credentials_json TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX idx_youtube_creds_user ON youtube_credentials (user_id);

-- Rows of the earlier service whose job no longer exists (it never enforced
-- foreign keys) or whose job id was handed out again. Kept with every column,
-- never deleted by yt-builder.
CREATE TABLE quarantined_job_files (
    id             INTEGER,
    job_id         INTEGER,
    file_type      TEXT,
    filename       TEXT,
    file_path      TEXT,
    uploaded_at    TEXT,
    reason         TEXT NOT NULL,
    quarantined_at TEXT NOT NULL
);

CREATE TABLE quarantined_youtube_uploads (
    id             INTEGER,
    job_id         INTEGER,
    video_id       TEXT,
    video_url      TEXT,
    title          TEXT,
    description    TEXT,
    privacy        TEXT,
    tags           TEXT,
    category       TEXT,
    uploaded_at    TEXT,
    reason         TEXT NOT NULL,
    quarantined_at TEXT NOT NULL
);
