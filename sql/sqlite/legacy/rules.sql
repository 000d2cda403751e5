-- The earlier service's rows as this schema holds them, in one place: the
-- in-place upgrade (2_copy.sql) inserts from these views, and `yt-builder
-- migrate` reads them straight from a source file it never changes.
--
-- Temporary views over legacy_jobs, legacy_job_files, legacy_youtube_uploads
-- and legacy_youtube_credentials (the upgrade's set-aside tables, or views
-- over the source's own tables). yt_utc(text) reads a naive local time in the
-- zone chosen for the upgrade (and fails on text that is no time); yt_now()
-- is the upgrade's time.

CREATE TEMP VIEW upgraded_jobs AS
SELECT job_id, run_id, run_dir, status, COALESCE(progress, 0) AS progress, current_step, config, output_file,
       error, yt_utc(created_at) AS created_at, yt_utc(started_at) AS started_at, yt_utc(finished_at) AS finished_at
FROM legacy_jobs;

-- A file row belongs elsewhere when its job is gone, or when it was uploaded
-- before its job was created into a run directory that is not the job's: the
-- earlier service handed a deleted job's id out again, and the old rows stayed.
-- `reason` is NULL for a row that is kept.
CREATE TEMP VIEW legacy_file_fate AS
SELECT f.id, f.job_id, f.file_type, f.filename, f.file_path, yt_utc(f.uploaded_at) AS uploaded_at,
       CASE
           WHEN j.job_id IS NULL THEN 'job no longer exists'
           WHEN yt_utc(f.uploaded_at) < yt_utc(j.created_at) AND instr(f.file_path, j.run_id) = 0
               THEN 'belongs to an earlier job with the same id'
       END AS reason
FROM legacy_job_files AS f LEFT JOIN legacy_jobs AS j ON j.job_id = f.job_id;

CREATE TEMP VIEW legacy_upload_fate AS
SELECT u.id, u.job_id, u.video_id, u.video_url, u.title, u.description, u.privacy, u.tags, u.category,
       yt_utc(u.uploaded_at) AS uploaded_at,
       CASE
           WHEN j.job_id IS NULL THEN 'job no longer exists'
           WHEN yt_utc(u.uploaded_at) < yt_utc(j.created_at) THEN 'belongs to an earlier job with the same id'
       END AS reason
FROM legacy_youtube_uploads AS u LEFT JOIN legacy_jobs AS j ON j.job_id = u.job_id;

CREATE TEMP VIEW upgraded_youtube_credentials AS
SELECT user_id, credentials_json, yt_utc(updated_at) AS updated_at FROM legacy_youtube_credentials;

-- No job id the earlier service handed out, kept or only referenced by a
-- quarantined row, is handed out again.
CREATE TEMP VIEW legacy_highest_job_id AS
SELECT MAX(id) AS seq FROM (
    SELECT MAX(job_id) AS id FROM legacy_jobs
    UNION ALL SELECT MAX(job_id) FROM legacy_job_files
    UNION ALL SELECT MAX(job_id) FROM legacy_youtube_uploads);
