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

-- name: queue_depth
SELECT kind, state, COUNT(*) FROM tasks WHERE state IN ('queued', 'running') GROUP BY kind, state

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

-- name: claimed_task_columns
id, job_id, attempt, max_attempts

-- name: discard_task
-- A task whose job was moved outside the queue (cancelled, say) before a claim.
UPDATE tasks SET state = 'cancelled', worker_id = NULL, lease_expires_at = NULL WHERE id = $1

-- name: youtube_upload_view
-- An upload task as users know it: its state in the words of youtube_upload_tasks.
SELECT t.id, t.job_id,
    CASE t.state WHEN 'queued' THEN 'pending' WHEN 'running' THEN 'uploading' ELSE t.state END,
    u.request, u.session_url, u.bytes_sent, u.total_bytes, u.video_id, t.error, t.attempt, t.created_at, t.updated_at
FROM tasks AS t JOIN youtube_upload_tasks AS u ON u.id = t.id

-- name: youtube_upload_by_id
{{youtube_upload_view}} WHERE t.id = $1

-- name: youtube_upload_of_job
{{youtube_upload_view}} WHERE t.job_id = $1 ORDER BY t.id DESC

-- name: lost_task_error
-- Why a task whose worker vanished on its last attempt failed.
UPDATE tasks SET error = $2 WHERE id = $1

-- name: suno_import_view
-- A playlist import as users know it: the task and what it downloaded so far.
SELECT t.id, t.job_id, t.state, p.url, p.songs_total, p.downloaded, p.errors, t.error, t.attempt, t.created_at,
    t.updated_at
FROM tasks AS t JOIN playlist_import_tasks AS p ON p.id = t.id

-- name: suno_import_by_id
{{suno_import_view}} WHERE t.id = $1

-- name: suno_import_of_job
{{suno_import_view}} WHERE t.job_id = $1 ORDER BY t.id DESC

-- name: render_piece_view
-- A piece of a render: the task, the plan and unit it encodes, and what it made.
SELECT t.id, t.job_id, t.state, r.plan, r.unit, r.cost, r.bytes, r.seconds, t.error, t.attempt, t.worker_id,
    t.created_at, t.updated_at
FROM tasks AS t JOIN render_piece_tasks AS r ON r.id = t.id

-- name: render_piece_by_id
{{render_piece_view}} WHERE t.id = $1

-- name: render_piece_of_job
{{render_piece_view}} WHERE t.job_id = $1 ORDER BY t.id DESC

-- name: relocate_job
-- Where a job's files are now (migrate --files-to): its folder and output.
UPDATE jobs SET run_dir = $2, output_file = COALESCE($3, output_file) WHERE job_id = $1

-- name: relocate_file
UPDATE job_files SET file_path = $3 WHERE id = $1 AND job_id = $2

-- name: deployment_value
SELECT value FROM deployment WHERE name = $1

-- name: record_deployment_value
INSERT INTO deployment (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING

-- name: forget_deployment_value
DELETE FROM deployment WHERE name = $1

-- name: record_worker
INSERT INTO workers (worker_id, host, kinds, version, started_at, seen_at) VALUES ($1, $2, $3, $4, $5, $5)
ON CONFLICT (worker_id) DO UPDATE SET seen_at = excluded.seen_at, kinds = excluded.kinds, version = excluded.version

-- name: forget_worker
DELETE FROM workers WHERE worker_id = $1

-- name: forget_workers_before
DELETE FROM workers WHERE seen_at < $1

-- name: workers_seen
-- Each worker with its running tasks (named `<worker>` or `<worker>/<slot>`), one row per task.
SELECT w.worker_id, w.host, w.kinds, w.version, w.started_at, w.seen_at, t.id, t.kind, t.job_id, t.attempt, t.updated_at
FROM workers AS w
LEFT JOIN tasks AS t ON t.state = 'running'
    AND (t.worker_id = w.worker_id OR substr(t.worker_id, 1, length(w.worker_id) + 1) = w.worker_id || '/')
ORDER BY w.worker_id, t.id
