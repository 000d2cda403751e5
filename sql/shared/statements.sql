-- The statements that read the same in every dialect, by name (see
-- SQLStatements); each backend's statements.sql holds the rest. A name is
-- defined in one of the files, never in both.

-- name: job_by_id
SELECT {{job_columns}} FROM jobs WHERE job_id = $1

-- name: file_count_columns
(SELECT COUNT(*) FROM job_files AS f WHERE f.job_id = jobs.job_id AND f.file_type = 'videos'),
(SELECT COUNT(*) FROM job_files AS f WHERE f.job_id = jobs.job_id AND f.file_type = 'music'),
(SELECT COUNT(*) FROM job_files AS f WHERE f.job_id = jobs.job_id AND f.file_type = 'sounds'),
(SELECT COUNT(*) FROM job_files AS f WHERE f.job_id = jobs.job_id AND f.file_type = 'quotes')

-- name: job_summary
SELECT {{job_columns}}, {{file_count_columns}} FROM jobs WHERE job_id = $1

-- name: list_jobs
SELECT {{job_columns}} FROM jobs ORDER BY created_at DESC, job_id DESC LIMIT $1

-- name: list_jobs_of_status
SELECT {{job_columns}} FROM jobs WHERE status = $2 ORDER BY created_at DESC, job_id DESC LIMIT $1

-- name: delete_job
DELETE FROM jobs WHERE job_id = $1 RETURNING job_id, run_dir

-- name: job_counts
SELECT status, COUNT(*) FROM jobs GROUP BY status

-- name: file_columns
id, job_id, file_type, filename, file_path, uploaded_at

-- name: files_of_job
SELECT {{file_columns}} FROM job_files WHERE job_id = $1 ORDER BY id

-- name: files_of_job_of_type
SELECT {{file_columns}} FROM job_files WHERE job_id = $1 AND file_type = $2 ORDER BY id

-- name: delete_file
DELETE FROM job_files WHERE job_id = $1 AND file_type = $2 AND filename = $3 RETURNING {{file_columns}}

-- name: video_count
SELECT COUNT(*) FROM job_files WHERE job_id = $1 AND file_type = 'videos'

-- name: uploads
SELECT {{upload_columns}} FROM youtube_uploads ORDER BY uploaded_at DESC, id DESC LIMIT $1

-- name: uploads_of_job
SELECT {{upload_columns}} FROM youtube_uploads WHERE job_id = $2 ORDER BY uploaded_at DESC, id DESC LIMIT $1

-- name: credentials_of_user
SELECT user_id, credentials_json, updated_at FROM youtube_credentials WHERE user_id = $1

-- name: all_credentials
SELECT user_id, credentials_json, updated_at FROM youtube_credentials ORDER BY user_id

-- name: delete_credentials
DELETE FROM youtube_credentials WHERE user_id = $1

-- name: job_claim_guard
job_id = $1 AND worker_id = $2 AND attempt = $3 AND status = 'running'

-- name: finish_job_handed_back
UPDATE jobs SET status = 'queued', attempt = attempt - 1, started_at = NULL, worker_id = NULL,
    lease_expires_at = NULL
WHERE {{job_claim_guard}}

-- name: upload_task_columns
id, job_id, state, request, session_url, bytes_sent, total_bytes, video_id, error, attempt, created_at, updated_at

-- name: upload_guard
id = $1 AND worker_id = $2 AND attempt = $3 AND state = 'uploading'

-- name: upload_task_by_id
SELECT {{upload_task_columns}} FROM youtube_upload_tasks WHERE id = $1

-- name: upload_tasks_of_job
SELECT {{upload_task_columns}} FROM youtube_upload_tasks WHERE job_id = $1 ORDER BY id DESC
