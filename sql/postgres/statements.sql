-- The SQL the store runs on PostgreSQL, by name (see SQLStatements), in the
-- same order as sql/sqlite/statements.sql. Parameters arrive as text; casts
-- say their type where the server cannot tell. One statement a section.

-- name: job_columns
job_id, run_id, run_dir, status, progress, current_step, config::text, output_file, error, created_at, started_at, finished_at

-- name: create_job
-- One round trip: the id is drawn first, so run_id and run_dir can name it.
WITH next AS (SELECT nextval(pg_get_serial_sequence('jobs', 'job_id')) AS id)
INSERT INTO jobs (job_id, run_id, run_dir, status, config, created_at)
SELECT id, 'run-' || id || '-' || $1, $2 || '/run-' || id || '-' || $1, $3, $4::jsonb, $5::timestamptz FROM next
RETURNING {{job_columns}}

-- name: list_jobs_after
SELECT {{job_columns}} FROM jobs WHERE (created_at, job_id) < ($2::timestamptz, $3::bigint)
ORDER BY created_at DESC, job_id DESC LIMIT $1

-- name: list_jobs_of_status_after
SELECT {{job_columns}} FROM jobs WHERE status = $2 AND (created_at, job_id) < ($3::timestamptz, $4::bigint)
ORDER BY created_at DESC, job_id DESC LIMIT $1

-- name: update_job
UPDATE jobs SET status = COALESCE($3, status), progress = COALESCE($4::integer, progress),
    current_step = COALESCE($5, current_step), output_file = COALESCE($6, output_file),
    error = COALESCE($7, error),
    started_at = CASE WHEN $3 = 'running' THEN COALESCE(started_at, $8::timestamptz) ELSE started_at END,
    finished_at = CASE WHEN $3 IN ('completed', 'failed', 'cancelled') AND $3 <> status
                       THEN $8::timestamptz ELSE finished_at END
WHERE job_id = $1 AND status = ANY(translate($2, '[]"', '{}')::text[])
RETURNING {{job_columns}}

-- name: update_config
UPDATE jobs SET config = $2::jsonb WHERE job_id = $1 RETURNING {{job_columns}}

-- name: delete_stale_preparing_jobs
DELETE FROM jobs WHERE status = 'preparing' AND created_at < $1::timestamptz RETURNING job_id, run_dir

-- name: old_jobs
-- Locks what it will delete, so the counts are of the rows deleted.
SELECT job_id, run_dir FROM jobs
WHERE status IN ('completed', 'failed', 'cancelled') AND COALESCE(finished_at, created_at) < $1::timestamptz
ORDER BY job_id FOR UPDATE

-- name: old_jobs_counts
SELECT (SELECT COUNT(*) FROM job_files WHERE job_id = ANY(translate($1, '[]', '{}')::bigint[])),
       (SELECT COUNT(*) FROM youtube_uploads WHERE job_id = ANY(translate($1, '[]', '{}')::bigint[]))

-- name: delete_jobs
DELETE FROM jobs WHERE job_id = ANY(translate($1, '[]', '{}')::bigint[])

-- name: upsert_file
INSERT INTO job_files (job_id, file_type, filename, file_path, uploaded_at)
VALUES ($1, $2, $3, $4, $5::timestamptz)
ON CONFLICT (job_id, file_type, filename)
DO UPDATE SET file_path = excluded.file_path, uploaded_at = excluded.uploaded_at
RETURNING id

-- name: file_counts
SELECT job_id, file_type, COUNT(*) FROM job_files
WHERE job_id = ANY(translate($1, '[]', '{}')::bigint[]) GROUP BY job_id, file_type

-- name: lock_job_status
SELECT status FROM jobs WHERE job_id = $1 FOR UPDATE

-- name: lock_job
SELECT {{job_columns}} FROM jobs WHERE job_id = $1 FOR UPDATE

-- name: start_job
UPDATE jobs SET config = $2::jsonb, status = 'queued' WHERE job_id = $1 RETURNING {{job_columns}}

-- name: upload_columns
id, job_id, video_id, video_url, title, description, privacy, tags::text, category, uploaded_at

-- name: insert_upload
INSERT INTO youtube_uploads (job_id, video_id, video_url, title, description, privacy, tags, category, uploaded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::timestamptz) RETURNING {{upload_columns}}

-- name: save_credentials
INSERT INTO youtube_credentials (user_id, credentials_json, updated_at) VALUES ($1, $2, $3::timestamptz)
ON CONFLICT (user_id) DO UPDATE SET credentials_json = excluded.credentials_json, updated_at = excluded.updated_at

-- name: claim_job
UPDATE jobs SET status = 'running', worker_id = $1, attempt = attempt + 1, lease_expires_at = $2::timestamptz,
    cancel_requested = false, started_at = $3::timestamptz
WHERE job_id = (SELECT job_id FROM jobs WHERE status = 'queued' ORDER BY job_id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING {{job_columns}}, attempt

-- name: renew_job_lease
UPDATE jobs SET lease_expires_at = $4::timestamptz WHERE {{job_claim_guard}} RETURNING cancel_requested

-- name: report_job_progress
UPDATE jobs SET progress = $4::integer, current_step = $5 WHERE {{job_claim_guard}} RETURNING cancel_requested

-- name: finish_job_completed
UPDATE jobs SET status = 'completed', progress = 100, output_file = $5, finished_at = $4::timestamptz,
    worker_id = NULL, lease_expires_at = NULL
WHERE {{job_claim_guard}}

-- name: finish_job_failed
UPDATE jobs SET status = 'failed', error = $5, finished_at = $4::timestamptz, worker_id = NULL,
    lease_expires_at = NULL
WHERE {{job_claim_guard}}

-- name: finish_job_cancelled
UPDATE jobs SET status = 'cancelled', finished_at = $4::timestamptz, worker_id = NULL, lease_expires_at = NULL
WHERE {{job_claim_guard}}

-- name: rescue_jobs
UPDATE jobs SET
    status = CASE WHEN cancel_requested THEN 'cancelled' WHEN attempt >= $1::integer THEN 'failed' ELSE 'queued' END,
    error = CASE WHEN NOT cancel_requested AND attempt >= $1::integer
                 THEN 'worker lost: no heartbeat before its lease ran out (attempt ' || attempt || ' of ' || $1 || ')'
                 ELSE error END,
    finished_at = CASE WHEN cancel_requested OR attempt >= $1::integer THEN $2::timestamptz ELSE finished_at END,
    worker_id = NULL, lease_expires_at = NULL
WHERE status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < $2::timestamptz)
RETURNING job_id, status

-- name: cancel_job
UPDATE jobs SET
    status = CASE WHEN status = 'running' THEN status ELSE 'cancelled' END,
    cancel_requested = (status = 'running'),
    finished_at = CASE WHEN status = 'running' THEN finished_at ELSE $2::timestamptz END
WHERE job_id = $1 AND status IN ('preparing', 'queued', 'running')
RETURNING {{job_columns}}

-- name: create_upload_task
INSERT INTO youtube_upload_tasks (job_id, state, request, total_bytes, created_at, updated_at)
VALUES ($1, 'pending', $2, $3, $4::timestamptz, $4::timestamptz) RETURNING {{upload_task_columns}}

-- name: claim_upload_task
UPDATE youtube_upload_tasks SET state = 'uploading', worker_id = $1, attempt = attempt + 1,
    lease_expires_at = $2::timestamptz, updated_at = $3::timestamptz
WHERE id = (SELECT id FROM youtube_upload_tasks WHERE state = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING {{upload_task_columns}}

-- name: record_upload_progress
UPDATE youtube_upload_tasks SET session_url = COALESCE($4, session_url), bytes_sent = $5::bigint,
    lease_expires_at = $6::timestamptz, updated_at = $7::timestamptz
WHERE {{upload_guard}}

-- name: finish_upload_completed
-- One statement: the task completes and its upload is recorded, or neither.
WITH done AS (
    UPDATE youtube_upload_tasks SET state = 'completed', video_id = $5, bytes_sent = total_bytes,
        worker_id = NULL, lease_expires_at = NULL, updated_at = $4::timestamptz
    WHERE {{upload_guard}} RETURNING {{upload_task_columns}}
), recorded AS (
    INSERT INTO youtube_uploads (job_id, video_id, video_url, title, description, privacy, tags, category, uploaded_at)
    SELECT job_id, $5, $6, $7, $8, $9, $10::jsonb, $11, $4::timestamptz FROM done
)
SELECT * FROM done

-- name: finish_upload_failed
UPDATE youtube_upload_tasks SET state = 'failed', error = $5, worker_id = NULL, lease_expires_at = NULL,
    updated_at = $4::timestamptz
WHERE {{upload_guard}} RETURNING {{upload_task_columns}}

-- name: finish_upload_handed_back
UPDATE youtube_upload_tasks SET state = 'pending', attempt = attempt - 1, worker_id = NULL,
    lease_expires_at = NULL, updated_at = $4::timestamptz
WHERE {{upload_guard}} RETURNING {{upload_task_columns}}

-- name: rescue_uploads
UPDATE youtube_upload_tasks SET
    state = CASE WHEN attempt >= $1::integer THEN 'failed' ELSE 'pending' END,
    error = CASE WHEN attempt >= $1::integer THEN 'worker lost during the upload (attempt ' || attempt || ')'
                 ELSE error END,
    worker_id = NULL, lease_expires_at = NULL, updated_at = $2::timestamptz
WHERE state = 'uploading' AND (lease_expires_at IS NULL OR lease_expires_at < $2::timestamptz)

-- name: notify_queued
NOTIFY yt_builder_jobs
