-- Step 2 of upgrading a file of the earlier service, after 001_initial.sql and
-- rules.sql: copy every row into the current tables as the rules say
-- (timestamps made UTC, orphans to quarantine), then drop what was set aside.

INSERT INTO jobs (job_id, run_id, run_dir, status, progress, current_step, config, output_file, error,
                  created_at, started_at, finished_at)
SELECT * FROM upgraded_jobs;

INSERT INTO quarantined_job_files (id, job_id, file_type, filename, file_path, uploaded_at, reason, quarantined_at)
SELECT id, job_id, file_type, filename, file_path, uploaded_at, reason, yt_now()
FROM legacy_file_fate WHERE reason IS NOT NULL ORDER BY id;

INSERT INTO job_files (id, job_id, file_type, filename, file_path, uploaded_at)
SELECT id, job_id, file_type, filename, file_path, uploaded_at
FROM legacy_file_fate WHERE reason IS NULL ORDER BY id;

INSERT INTO quarantined_youtube_uploads (id, job_id, video_id, video_url, title, description, privacy, tags,
                                         category, uploaded_at, reason, quarantined_at)
SELECT id, job_id, video_id, video_url, title, description, privacy, tags, category, uploaded_at, reason, yt_now()
FROM legacy_upload_fate WHERE reason IS NOT NULL ORDER BY id;

INSERT INTO youtube_uploads (id, job_id, video_id, video_url, title, description, privacy, tags, category,
                             uploaded_at)
SELECT id, job_id, video_id, video_url, title, description, privacy, tags, category, uploaded_at
FROM legacy_upload_fate WHERE reason IS NULL ORDER BY id;

INSERT INTO youtube_credentials (user_id, credentials_json, updated_at)
SELECT * FROM upgraded_youtube_credentials;

DELETE FROM sqlite_sequence WHERE name = 'jobs';
INSERT INTO sqlite_sequence (name, seq) SELECT 'jobs', seq FROM legacy_highest_job_id WHERE seq IS NOT NULL;

DROP VIEW legacy_highest_job_id;
DROP VIEW upgraded_youtube_credentials;
DROP VIEW legacy_upload_fate;
DROP VIEW legacy_file_fate;
DROP VIEW upgraded_jobs;
DROP TABLE legacy_youtube_credentials;
DROP TABLE legacy_youtube_uploads;
DROP TABLE legacy_job_files;
DROP TABLE legacy_jobs;
