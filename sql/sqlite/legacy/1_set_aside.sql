-- Step 1 of upgrading a file of the earlier service: move its tables aside so
-- that 001_initial.sql can create the current ones. Runs with foreign keys off,
-- inside the upgrade's transaction.

-- Files that predate the uploads or credentials tables get empty ones.
CREATE TABLE IF NOT EXISTS job_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT, job_id INTEGER NOT NULL, file_type TEXT NOT NULL,
    filename TEXT NOT NULL, file_path TEXT NOT NULL, uploaded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS youtube_uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT, job_id INTEGER NOT NULL, video_id TEXT NOT NULL,
    video_url TEXT NOT NULL, title TEXT, description TEXT, privacy TEXT, tags TEXT, category TEXT,
    uploaded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS youtube_credentials (
    user_id TEXT PRIMARY KEY, credentials_json TEXT NOT NULL, updated_at TEXT NOT NULL
);

DROP INDEX IF EXISTS idx_jobs_status;
DROP INDEX IF EXISTS idx_jobs_created;
DROP INDEX IF EXISTS idx_job_files_job;
DROP INDEX IF EXISTS idx_youtube_job;
DROP INDEX IF EXISTS idx_youtube_creds_user;

ALTER TABLE jobs RENAME TO legacy_jobs;
ALTER TABLE job_files RENAME TO legacy_job_files;
ALTER TABLE youtube_uploads RENAME TO legacy_youtube_uploads;
ALTER TABLE youtube_credentials RENAME TO legacy_youtube_credentials;
