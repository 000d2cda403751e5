-- The SQL the store runs on PostgreSQL, by name (see SQLStatements), in the
-- same order as sql/sqlite/statements.sql. Parameters arrive as text; casts
-- say their type where the server cannot tell. One statement a section.
--
-- A row found by its key and guarded on its status or state writes the guard
-- as `IS NOT DISTINCT FROM` (or `(...) IS TRUE` for a list), which no index
-- can serve. With `=`, statistics gathered while no job was running (or
-- queued) make that status look rare, and the planner may reach the row
-- through a status index or a partial task index instead of the primary key,
-- reading every entry of that status, dead ones included. Queries that want
-- those indexes (the claim's queue walk, the rescue, pages by status) keep `=`.

-- name: job_columns
job_id, run_id, run_dir, status, progress, current_step, config::text, output_file, error, created_at, started_at, finished_at

-- name: create_job
-- One round trip: the id is drawn first, so run_id and run_dir can name it; a
-- job created queued or running gets its render task in the same statement.
WITH next AS (SELECT nextval(pg_get_serial_sequence('jobs', 'job_id')) AS id),
created AS (
    INSERT INTO jobs (job_id, run_id, run_dir, status, config, created_at)
    SELECT id, 'run-' || id || '-' || $1, $2 || '/run-' || id || '-' || $1, $3, $4::jsonb, $5::timestamptz FROM next
    RETURNING {{job_columns}}
), task AS (
    INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
    SELECT 'render', job_id, status, $6::integer, $5::timestamptz, $5::timestamptz FROM created
    WHERE status IN ('queued', 'running')
)
SELECT * FROM created

-- name: list_jobs_after
SELECT {{job_columns}} FROM jobs WHERE (created_at, job_id) < ($2::timestamptz, $3::bigint)
ORDER BY created_at DESC, job_id DESC LIMIT $1

-- name: list_jobs_of_status_after
SELECT {{job_columns}} FROM jobs WHERE status = $2 AND (created_at, job_id) < ($3::timestamptz, $4::bigint)
ORDER BY created_at DESC, job_id DESC LIMIT $1

-- name: update_job
-- A job moved outside the queue keeps its one open render task in step: the
-- task takes the job's new status (a running one without a lease, so the
-- rescue treats it as lost), or a queued or running job that has none gets
-- one. A worker's claim is untouched while the job stays running.
WITH moved AS (
    UPDATE jobs SET status = COALESCE($3, status), progress = COALESCE($4::integer, progress),
        current_step = COALESCE($5, current_step), output_file = COALESCE($6, output_file),
        error = COALESCE($7, error),
        started_at = CASE WHEN $3 = 'running' THEN COALESCE(started_at, $8::timestamptz) ELSE started_at END,
        finished_at = CASE WHEN $3 IN ('completed', 'failed', 'cancelled') AND $3 <> status
                           THEN $8::timestamptz ELSE finished_at END
    WHERE job_id = $1 AND (status = ANY(translate($2, '[]"', '{}')::text[])) IS TRUE
    RETURNING {{job_columns}}
), followed AS (
    UPDATE tasks SET state = moved.status, worker_id = NULL, lease_expires_at = NULL, updated_at = $8::timestamptz
    FROM moved
    WHERE $3 IS NOT NULL AND tasks.kind = 'render' AND tasks.job_id = moved.job_id
        AND tasks.state IN ('queued', 'running') AND tasks.state <> moved.status
), added AS (
    INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
    SELECT 'render', job_id, status, $9::integer, $8::timestamptz, $8::timestamptz FROM moved
    WHERE $3 IS NOT NULL AND status IN ('queued', 'running') AND NOT EXISTS (
        SELECT 1 FROM tasks WHERE kind = 'render' AND tasks.job_id = moved.job_id AND state IN ('queued', 'running'))
)
SELECT * FROM moved

-- name: update_job_fields
-- update_job without a move: the fields only, no task to keep in step.
UPDATE jobs SET progress = COALESCE($3::integer, progress), current_step = COALESCE($4, current_step),
    output_file = COALESCE($5, output_file), error = COALESCE($6, error)
WHERE job_id = $1 AND (status = ANY(translate($2, '[]"', '{}')::text[])) IS TRUE
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
WITH moved AS (
    UPDATE jobs SET config = $2::jsonb, status = 'queued' WHERE job_id = $1 RETURNING {{job_columns}}
), task AS (
    INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
    SELECT 'render', job_id, 'queued', $3::integer, $4::timestamptz, $4::timestamptz FROM moved
    WHERE NOT EXISTS (SELECT 1 FROM tasks WHERE kind = 'render' AND job_id = $1 AND state IN ('queued', 'running'))
)
SELECT * FROM moved

-- name: upload_columns
id, job_id, video_id, video_url, title, description, privacy, tags::text, category, uploaded_at

-- name: insert_upload
INSERT INTO youtube_uploads (job_id, video_id, video_url, title, description, privacy, tags, category, uploaded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::timestamptz) RETURNING {{upload_columns}}

-- name: save_credentials
INSERT INTO youtube_credentials (user_id, credentials_json, updated_at) VALUES ($1, $2, $3::timestamptz)
ON CONFLICT (user_id) DO UPDATE SET credentials_json = excluded.credentials_json, updated_at = excluded.updated_at

-- name: cancel_waiting_job
-- A preparing or queued job (the store checked, with the row locked), with its queued render task.
WITH moved AS (UPDATE jobs SET status = 'cancelled', finished_at = $2::timestamptz WHERE job_id = $1)
UPDATE tasks SET state = 'cancelled', updated_at = $2::timestamptz
WHERE kind = 'render' AND job_id = $1 AND state IS NOT DISTINCT FROM 'queued'

-- name: request_cancel
-- A running job: its worker learns at its next heartbeat.
UPDATE tasks SET cancel_requested = true WHERE kind = 'render' AND job_id = $1 AND state IS NOT DISTINCT FROM 'running'

-- The task queue: the same lease protocol for every kind. A kind's own
-- statements (render_*, youtube_upload_*) say what its claim, progress,
-- finish and rescue do beside the task row, in the same statement.

-- name: claim_task
UPDATE tasks SET state = 'running', worker_id = $2, attempt = attempt + 1, lease_expires_at = $3::timestamptz,
    cancel_requested = false, updated_at = $4::timestamptz
WHERE id = (SELECT id FROM tasks WHERE kind = $1 AND state = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING {{claimed_task_columns}}

-- name: task_guard
-- Every write of a claimed task names the task, the worker and the attempt: a
-- worker whose lease ran out (and whose task went to another) writes nothing.
-- (IS NOT DISTINCT FROM: see the top of this file on guards and indexes.)
id = $1 AND worker_id = $2 AND attempt = $3 AND state IS NOT DISTINCT FROM 'running'

-- name: renew_task
UPDATE tasks SET lease_expires_at = $4::timestamptz WHERE {{task_guard}} RETURNING cancel_requested

-- name: finish_task
-- $5 is the new state, $7 the attempts the task has used (decided in Swift: FinishedAttempt).
UPDATE tasks SET state = $5, error = $6, attempt = $7::integer,
    worker_id = NULL, lease_expires_at = NULL, updated_at = $4::timestamptz
WHERE {{task_guard}}

-- name: expired_tasks
-- Leases that ran out (or running tasks without one), locked for this
-- rescue; where each goes is decided in Swift (LostLease) and written by rescue_task.
SELECT id, job_id, attempt, max_attempts, cancel_requested FROM tasks
WHERE kind = $1 AND state = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < $2::timestamptz)
FOR UPDATE SKIP LOCKED

-- name: rescue_task
-- $3 the task's next state; guarded, so a lease renewed meanwhile is left alone.
UPDATE tasks SET state = $3, worker_id = NULL, lease_expires_at = NULL, updated_at = $2::timestamptz
WHERE id = $1 AND state = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < $2::timestamptz)

-- name: claim_render
-- Optional: claim_task and render_claimed in one round trip. The task's
-- columns, then the job's (NULL when the job is no longer queued: the store
-- drops that task and claims again).
WITH task AS (
    UPDATE tasks SET state = 'running', worker_id = $2, attempt = attempt + 1, lease_expires_at = $3::timestamptz,
        cancel_requested = false, updated_at = $4::timestamptz
    WHERE id = (SELECT id FROM tasks WHERE kind = $1 AND state = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING {{claimed_task_columns}}
), job AS (
    UPDATE jobs SET status = 'running', started_at = $4::timestamptz
    WHERE job_id = (SELECT job_id FROM task) AND status IS NOT DISTINCT FROM 'queued'
    RETURNING {{job_columns}}
)
SELECT task.*, job.* FROM task LEFT JOIN job ON true

-- name: render_claimed
UPDATE jobs SET status = 'running', started_at = $2::timestamptz WHERE job_id = $1 AND status IS NOT DISTINCT FROM 'queued'
RETURNING {{job_columns}}

-- name: render_progress
WITH held AS (SELECT job_id, cancel_requested FROM tasks WHERE {{task_guard}}),
moved AS (
    UPDATE jobs SET progress = $4::integer, current_step = $5 FROM held WHERE jobs.job_id = held.job_id
)
SELECT cancel_requested FROM held

-- name: render_finish
-- $5 is the task's new state, which is also the job's; $8 the output, $9 the job;
-- $10 to $13 the job's move (JobMove): progress, error, finished_at, 1 to clear started_at.
WITH done AS ({{finish_task}} RETURNING job_id),
moved AS (
    UPDATE jobs SET status = $5, progress = COALESCE($10::integer, progress), output_file = COALESCE($8, output_file),
        error = COALESCE($11, error), finished_at = COALESCE($12::timestamptz, finished_at),
        started_at = CASE WHEN $13::integer = 1 THEN NULL ELSE started_at END
    FROM done WHERE jobs.job_id = done.job_id AND jobs.job_id = $9 AND jobs.status IS NOT DISTINCT FROM 'running'
    RETURNING 1
)
SELECT 1 FROM moved

-- name: render_rescued
-- The job's move (JobMove): $2 its status, $3 error and $4 finished_at (NULL keeps them).
UPDATE jobs SET status = $2, error = COALESCE($3, error), finished_at = COALESCE($4::timestamptz, finished_at)
WHERE job_id = $1 AND status IS NOT DISTINCT FROM 'running'

-- name: youtube_upload_create
WITH task AS (
    INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
    VALUES ('youtube_upload', $1, 'queued', $3::integer, $2::timestamptz, $2::timestamptz)
    RETURNING id, job_id, attempt, error, created_at, updated_at
), details AS (
    INSERT INTO youtube_upload_tasks (id, request, total_bytes) SELECT id, $4, $5::bigint FROM task
    RETURNING id, request, session_url, bytes_sent, total_bytes, video_id
)
SELECT task.id, task.job_id, 'pending', details.request, details.session_url, details.bytes_sent,
    details.total_bytes, details.video_id, task.error, task.attempt, task.created_at, task.updated_at
FROM task JOIN details ON details.id = task.id

-- name: youtube_upload_progress
WITH held AS (
    UPDATE tasks SET lease_expires_at = $4::timestamptz, updated_at = $5::timestamptz WHERE {{task_guard}}
    RETURNING id
)
UPDATE youtube_upload_tasks AS u SET session_url = COALESCE($6, u.session_url), bytes_sent = $7::bigint
FROM held WHERE u.id = held.id
RETURNING 1

-- name: youtube_upload_finish
-- One statement: the task finishes and, when completed, its upload is recorded; or neither.
WITH done AS ({{finish_task}} RETURNING id, job_id, state, attempt, error, created_at, updated_at),
details AS (
    UPDATE youtube_upload_tasks AS u SET video_id = COALESCE($8, u.video_id),
        bytes_sent = CASE WHEN $5 = 'completed' THEN u.total_bytes ELSE u.bytes_sent END
    FROM done WHERE u.id = done.id
    RETURNING u.id, u.request, u.session_url, u.bytes_sent, u.total_bytes, u.video_id
), recorded AS (
    INSERT INTO youtube_uploads (job_id, video_id, video_url, title, description, privacy, tags, category, uploaded_at)
    SELECT job_id, $8, $9, $10, $11, $12, $13::jsonb, $14, $4::timestamptz FROM done WHERE $5 = 'completed'
)
SELECT done.id, done.job_id, CASE done.state WHEN 'queued' THEN 'pending' ELSE done.state END, details.request,
    details.session_url, details.bytes_sent, details.total_bytes, details.video_id, done.error, done.attempt,
    done.created_at, done.updated_at
FROM done JOIN details ON details.id = done.id

-- name: notify_queued
NOTIFY yt_builder_jobs

-- name: suno_import_create
WITH task AS (
    INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
    VALUES ('suno_import', $1, 'queued', $3::integer, $2::timestamptz, $2::timestamptz)
    RETURNING id, job_id, state, error, attempt, created_at, updated_at
), details AS (
    INSERT INTO playlist_import_tasks (id, url) SELECT id, $4 FROM task
    RETURNING id, url, songs_total, downloaded, errors
)
SELECT task.id, task.job_id, task.state, details.url, details.songs_total, details.downloaded, details.errors,
    task.error, task.attempt, task.created_at, task.updated_at
FROM task JOIN details ON details.id = task.id

-- name: suno_import_progress
-- $6 songs in the playlist, $7 and $8 the JSON arrays of downloaded names and errors.
WITH held AS (
    UPDATE tasks SET lease_expires_at = $4::timestamptz, updated_at = $5::timestamptz WHERE {{task_guard}}
    RETURNING id
)
UPDATE playlist_import_tasks AS p SET songs_total = $6::integer, downloaded = $7::jsonb, errors = $8::jsonb
FROM held WHERE p.id = held.id
RETURNING 1

-- name: suno_import_finish
WITH done AS ({{finish_task}} RETURNING id, job_id, state, error, attempt, created_at, updated_at),
details AS (
    UPDATE playlist_import_tasks AS p SET songs_total = COALESCE($8::integer, p.songs_total),
        downloaded = COALESCE($9::jsonb, p.downloaded), errors = COALESCE($10::jsonb, p.errors)
    FROM done WHERE p.id = done.id
    RETURNING p.id, p.url, p.songs_total, p.downloaded, p.errors
)
SELECT done.id, done.job_id, done.state, details.url, details.songs_total, details.downloaded, details.errors,
    done.error, done.attempt, done.created_at, done.updated_at
FROM done JOIN details ON details.id = done.id

-- name: render_piece_create
WITH task AS (
    INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
    VALUES ('render_piece', $1, 'queued', $3::integer, $2::timestamptz, $2::timestamptz)
    RETURNING id, job_id, state, error, attempt, worker_id, created_at, updated_at
), details AS (
    INSERT INTO render_piece_tasks (id, plan, unit, cost) SELECT id, $4, $5, $6::double precision FROM task
    RETURNING id, plan, unit, cost, bytes, seconds
)
SELECT task.id, task.job_id, task.state, details.plan, details.unit, details.cost, details.bytes, details.seconds,
    task.error, task.attempt, task.worker_id, task.created_at, task.updated_at
FROM task JOIN details ON details.id = task.id

-- name: render_piece_progress
UPDATE tasks SET lease_expires_at = $4::timestamptz, updated_at = $5::timestamptz WHERE {{task_guard}}
RETURNING 1

-- name: render_piece_finish
-- $8 the bytes the piece's files hold, $9 the seconds it took to encode.
WITH done AS ({{finish_task}} RETURNING id, job_id, state, error, attempt, worker_id, created_at, updated_at),
details AS (
    UPDATE render_piece_tasks AS r SET bytes = COALESCE($8::bigint, r.bytes),
        seconds = COALESCE($9::double precision, r.seconds)
    FROM done WHERE r.id = done.id
    RETURNING r.id, r.plan, r.unit, r.cost, r.bytes, r.seconds
)
SELECT done.id, done.job_id, done.state, details.plan, details.unit, details.cost, details.bytes, details.seconds,
    done.error, done.attempt, done.worker_id, done.created_at, done.updated_at
FROM done JOIN details ON details.id = done.id

-- name: end_job_tasks
-- Every open task of kind $2 of job $1 ends cancelled; a worker running one
-- loses its claim (its next heartbeat finds out) and writes nothing more.
UPDATE tasks SET state = 'cancelled', worker_id = NULL, lease_expires_at = NULL, updated_at = $3::timestamptz
WHERE job_id = $1 AND kind = $2 AND state IN ('queued', 'running')
