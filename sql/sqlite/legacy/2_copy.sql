-- Step 2 of upgrading a file of the earlier service, after 001_initial.sql:
-- copy every row into the current tables, unchanged but for timestamps, which
-- become UTC. yt_utc(text) reads a naive local time in the zone chosen for the
-- upgrade (and fails on text that is no time); yt_now() is the upgrade's time.

INSERT INTO jobs (job_id, run_id, run_dir, status, progress, current_step, config, output_file, error,
                  created_at, started_at, finished_at)
SELECT job_id, run_id, run_dir, status, COALESCE(progress, 0), current_step, config, output_file, error,
       yt_utc(created_at), yt_utc(started_at), yt_utc(finished_at)
FROM legacy_jobs;

-- A file row belongs elsewhere when its job is gone, or when it was uploaded
-- before its job was created into a run directory that is not the job's: the
-- earlier service handed a deleted job's id out again, and the old rows stayed.
CREATE TEMP TABLE legacy_file_fate AS
SELECT f.id AS id,
       CASE
           WHEN j.job_id IS NULL THEN 'job no longer exists'
           WHEN yt_utc(f.uploaded_at) < yt_utc(j.created_at) AND instr(f.file_path, j.run_id) = 0
               THEN 'belongs to an earlier job with the same id'
       END AS reason
FROM legacy_job_files AS f LEFT JOIN legacy_jobs AS j ON j.job_id = f.job_id;

INSERT INTO quarantined_job_files (id, job_id, file_type, filename, file_path, uploaded_at, reason, quarantined_at)
SELECT f.id, f.job_id, f.file_type, f.filename, f.file_path, yt_utc(f.uploaded_at), fate.reason, yt_now()
FROM legacy_job_files AS f JOIN legacy_file_fate AS fate ON fate.id = f.id
WHERE fate.reason IS NOT NULL
ORDER BY f.id;

INSERT INTO job_files (id, job_id, file_type, filename, file_path, uploaded_at)
SELECT f.id, f.job_id, f.file_type, f.filename, f.file_path, yt_utc(f.uploaded_at)
FROM legacy_job_files AS f JOIN legacy_file_fate AS fate ON fate.id = f.id
WHERE fate.reason IS NULL
ORDER BY f.id;

CREATE TEMP TABLE legacy_upload_fate AS
SELECT u.id AS id,
       CASE
           WHEN j.job_id IS NULL THEN 'job no longer exists'
           WHEN yt_utc(u.uploaded_at) < yt_utc(j.created_at) THEN 'belongs to an earlier job with the same id'
       END AS reason
FROM legacy_youtube_uploads AS u LEFT JOIN legacy_jobs AS j ON j.job_id = u.job_id;

INSERT INTO quarantined_youtube_uploads (id, job_id, video_id, video_url, title, description, privacy, tags,
                                         category, uploaded_at, reason, quarantined_at)
SELECT u.id, u.job_id, u.video_id, u.video_url, u.title, u.description, u.privacy, u.tags, u.category,
       yt_utc(u.uploaded_at), fate.reason, yt_now()
FROM legacy_youtube_uploads AS u JOIN legacy_upload_fate AS fate ON fate.id = u.id
WHERE fate.reason IS NOT NULL
ORDER BY u.id;

INSERT INTO youtube_uploads (id, job_id, video_id, video_url, title, description, privacy, tags, category,
                             uploaded_at)
SELECT u.id, u.job_id, u.video_id, u.video_url, u.title, u.description, u.privacy, u.tags, u.category,
       yt_utc(u.uploaded_at)
FROM legacy_youtube_uploads AS u JOIN legacy_upload_fate AS fate ON fate.id = u.id
WHERE fate.reason IS NULL
ORDER BY u.id;

INSERT INTO youtube_credentials (user_id, credentials_json, updated_at)
SELECT user_id, credentials_json, yt_utc(updated_at) FROM legacy_youtube_credentials;

-- No job id the earlier service handed out, kept or only referenced by a
-- quarantined row, is handed out again.
DELETE FROM sqlite_sequence WHERE name = 'jobs';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'jobs', seq FROM (
    SELECT MAX(id) AS seq FROM (
        SELECT MAX(job_id) AS id FROM legacy_jobs
        UNION ALL SELECT MAX(job_id) FROM legacy_job_files
        UNION ALL SELECT MAX(job_id) FROM legacy_youtube_uploads)
) WHERE seq IS NOT NULL;

DROP TABLE legacy_file_fate;
DROP TABLE legacy_upload_fate;
DROP TABLE legacy_youtube_credentials;
DROP TABLE legacy_youtube_uploads;
DROP TABLE legacy_job_files;
DROP TABLE legacy_jobs;
