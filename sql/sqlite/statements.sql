-- The SQL the store runs on SQLite, by name (see SQLStatements). Parameters
-- are $1, $2, ... as the store binds them; timestamps are fixed-width UTC text.
-- A section may hold several statements: they run in order, in one
-- transaction, and the rows of all of them are the result.

-- name: job_columns
job_id, run_id, run_dir, status, progress, current_step, config, output_file, error, created_at, started_at, finished_at

-- name: create_job
INSERT INTO jobs (run_id, run_dir, status, config, created_at) VALUES ('', '', $3, $4, $5);
UPDATE jobs SET run_id = 'run-' || job_id || '-' || $1, run_dir = $2 || '/run-' || job_id || '-' || $1
WHERE job_id = last_insert_rowid();
SELECT {{job_columns}} FROM jobs WHERE job_id = last_insert_rowid()

-- name: list_jobs_after
SELECT {{job_columns}} FROM jobs WHERE (created_at, job_id) < ($2, $3)
ORDER BY created_at DESC, job_id DESC LIMIT $1

-- name: list_jobs_of_status_after
SELECT {{job_columns}} FROM jobs WHERE status = $2 AND (created_at, job_id) < ($3, $4)
ORDER BY created_at DESC, job_id DESC LIMIT $1

-- name: update_job
-- The move first, then the fields: status and the times that follow it are
-- written only when the status moves, because an unchanged indexed column
-- still rewrites its index page. $2 is a JSON array of the statuses the move
-- may start from (instr: json_each costs more than the update). changes()
-- is the previous statement's count: the second UPDATE applies when the
-- first moved the job or the status stays; the SELECT answers when it did.
-- No RETURNING: on SQLite each one builds a temporary table.
UPDATE jobs SET status = $3,
    started_at = CASE WHEN $3 = 'running' THEN COALESCE(started_at, $8) ELSE started_at END,
    finished_at = CASE WHEN $3 IN ('completed', 'failed', 'cancelled') THEN $8 ELSE finished_at END
WHERE job_id = $1 AND status <> $3 AND instr($2, '"' || status || '"') > 0;
UPDATE jobs SET progress = COALESCE($4, progress), current_step = COALESCE($5, current_step),
    output_file = COALESCE($6, output_file), error = COALESCE($7, error)
WHERE job_id = $1 AND (changes() > 0 OR (status = COALESCE($3, status) AND instr($2, '"' || status || '"') > 0));
SELECT {{job_columns}} FROM jobs WHERE job_id = $1 AND changes() > 0

-- name: update_config
UPDATE jobs SET config = $2 WHERE job_id = $1 RETURNING {{job_columns}}

-- name: delete_stale_preparing_jobs
DELETE FROM jobs WHERE status = 'preparing' AND created_at < $1 RETURNING job_id, run_dir

-- name: old_jobs
SELECT job_id, run_dir FROM jobs
WHERE status IN ('completed', 'failed', 'cancelled') AND COALESCE(finished_at, created_at) < $1
ORDER BY job_id

-- name: old_jobs_counts
SELECT (SELECT COUNT(*) FROM job_files WHERE job_id IN (SELECT value FROM json_each($1))),
       (SELECT COUNT(*) FROM youtube_uploads WHERE job_id IN (SELECT value FROM json_each($1)))

-- name: delete_jobs
DELETE FROM jobs WHERE job_id IN (SELECT value FROM json_each($1))

-- name: upsert_file
INSERT INTO job_files (job_id, file_type, filename, file_path, uploaded_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (job_id, file_type, filename)
DO UPDATE SET file_path = excluded.file_path, uploaded_at = excluded.uploaded_at
RETURNING id

-- name: file_counts
SELECT job_id, file_type, COUNT(*) FROM job_files
WHERE job_id IN (SELECT value FROM json_each($1)) GROUP BY job_id, file_type

-- name: lock_job_status
-- The store runs this inside a write transaction: the write lock is the lock.
SELECT status FROM jobs WHERE job_id = $1

-- name: lock_job
SELECT {{job_columns}} FROM jobs WHERE job_id = $1

-- name: start_job
UPDATE jobs SET config = $2, status = 'queued' WHERE job_id = $1 RETURNING {{job_columns}}

-- name: upload_columns
id, job_id, video_id, video_url, title, description, privacy, tags, category, uploaded_at

-- name: insert_upload
INSERT INTO youtube_uploads (job_id, video_id, video_url, title, description, privacy, tags, category, uploaded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {{upload_columns}}

-- name: save_credentials
-- secure_delete (set when the file is opened) zeroes the replaced text on disk.
INSERT INTO youtube_credentials (user_id, credentials_json, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET credentials_json = excluded.credentials_json, updated_at = excluded.updated_at

-- name: forget_replaced_secrets
-- Moves the WAL into the main file and empties it, so replaced secrets do not
-- linger in its old frames.
PRAGMA wal_checkpoint(TRUNCATE)

-- name: claim_job
UPDATE jobs SET status = 'running', worker_id = $1, attempt = attempt + 1, lease_expires_at = $2,
    cancel_requested = 0, started_at = $3
WHERE job_id = (SELECT job_id FROM jobs WHERE status = 'queued' ORDER BY job_id LIMIT 1)
RETURNING {{job_columns}}, attempt

-- name: renew_job_lease
UPDATE jobs SET lease_expires_at = $4 WHERE {{job_claim_guard}} RETURNING cancel_requested

-- name: report_job_progress
UPDATE jobs SET progress = $4, current_step = $5 WHERE {{job_claim_guard}} RETURNING cancel_requested

-- name: finish_job_completed
UPDATE jobs SET status = 'completed', progress = 100, output_file = $5, finished_at = $4,
    worker_id = NULL, lease_expires_at = NULL
WHERE {{job_claim_guard}}

-- name: finish_job_failed
UPDATE jobs SET status = 'failed', error = $5, finished_at = $4, worker_id = NULL, lease_expires_at = NULL
WHERE {{job_claim_guard}}

-- name: finish_job_cancelled
UPDATE jobs SET status = 'cancelled', finished_at = $4, worker_id = NULL, lease_expires_at = NULL
WHERE {{job_claim_guard}}

-- name: rescue_jobs
UPDATE jobs SET
    status = CASE WHEN cancel_requested = 1 THEN 'cancelled' WHEN attempt >= $1 THEN 'failed' ELSE 'queued' END,
    error = CASE WHEN cancel_requested = 0 AND attempt >= $1
                 THEN 'worker lost: no heartbeat before its lease ran out (attempt ' || attempt || ' of ' || $1 || ')'
                 ELSE error END,
    finished_at = CASE WHEN cancel_requested = 1 OR attempt >= $1 THEN $2 ELSE finished_at END,
    worker_id = NULL, lease_expires_at = NULL
WHERE status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < $2)
RETURNING job_id, status

-- name: cancel_job
UPDATE jobs SET
    status = CASE WHEN status = 'running' THEN status ELSE 'cancelled' END,
    cancel_requested = (status = 'running'),
    finished_at = CASE WHEN status = 'running' THEN finished_at ELSE $2 END
WHERE job_id = $1 AND status IN ('preparing', 'queued', 'running')
RETURNING {{job_columns}}

-- name: create_upload_task
INSERT INTO youtube_upload_tasks (job_id, state, request, total_bytes, created_at, updated_at)
VALUES ($1, 'pending', $2, $3, $4, $4) RETURNING {{upload_task_columns}}

-- name: claim_upload_task
UPDATE youtube_upload_tasks SET state = 'uploading', worker_id = $1, attempt = attempt + 1,
    lease_expires_at = $2, updated_at = $3
WHERE id = (SELECT id FROM youtube_upload_tasks WHERE state = 'pending' ORDER BY id LIMIT 1)
RETURNING {{upload_task_columns}}

-- name: record_upload_progress
UPDATE youtube_upload_tasks SET session_url = COALESCE($4, session_url), bytes_sent = $5,
    lease_expires_at = $6, updated_at = $7
WHERE {{upload_guard}}

-- name: finish_upload_completed
UPDATE youtube_upload_tasks SET state = 'completed', video_id = $5, bytes_sent = total_bytes,
    worker_id = NULL, lease_expires_at = NULL, updated_at = $4
WHERE {{upload_guard}} RETURNING {{upload_task_columns}};
INSERT INTO youtube_uploads (job_id, video_id, video_url, title, description, privacy, tags, category, uploaded_at)
SELECT job_id, $5, $6, $7, $8, $9, $10, $11, $4 FROM youtube_upload_tasks WHERE id = $1 AND changes() > 0

-- name: finish_upload_failed
UPDATE youtube_upload_tasks SET state = 'failed', error = $5, worker_id = NULL, lease_expires_at = NULL,
    updated_at = $4
WHERE {{upload_guard}} RETURNING {{upload_task_columns}}

-- name: finish_upload_handed_back
UPDATE youtube_upload_tasks SET state = 'pending', attempt = attempt - 1, worker_id = NULL,
    lease_expires_at = NULL, updated_at = $4
WHERE {{upload_guard}} RETURNING {{upload_task_columns}}

-- name: rescue_uploads
UPDATE youtube_upload_tasks SET
    state = CASE WHEN attempt >= $1 THEN 'failed' ELSE 'pending' END,
    error = CASE WHEN attempt >= $1 THEN 'worker lost during the upload (attempt ' || attempt || ')' ELSE error END,
    worker_id = NULL, lease_expires_at = NULL, updated_at = $2
WHERE state = 'uploading' AND (lease_expires_at IS NULL OR lease_expires_at < $2)
