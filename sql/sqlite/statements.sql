-- The SQL the store runs on SQLite, by name (see SQLStatements). Parameters
-- are $1, $2, ... as the store binds them; timestamps are fixed-width UTC text.
-- A section may hold several statements: they run in order, in one
-- transaction, and the rows of all of them are the result.
-- An IN list of more than two values builds a temporary table each time the
-- statement runs: statements run per job spell such a list out with OR.

-- name: job_columns
job_id, run_id, run_dir, status, progress, current_step, config, output_file, error, created_at, started_at, finished_at

-- name: create_job
INSERT INTO jobs (run_id, run_dir, status, config, created_at) VALUES ('', '', $3, $4, $5);
UPDATE jobs SET run_id = 'run-' || job_id || '-' || $1, run_dir = $2 || '/run-' || job_id || '-' || $1
WHERE job_id = last_insert_rowid();
SELECT {{job_columns}} FROM jobs WHERE job_id = last_insert_rowid();
INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
SELECT 'render', last_insert_rowid(), $3, $6, $5, $5 WHERE $3 IN ('queued', 'running')

-- name: list_jobs_after
SELECT {{job_columns}} FROM jobs WHERE (created_at, job_id) < ($2, $3)
ORDER BY created_at DESC, job_id DESC LIMIT $1

-- name: list_jobs_of_status_after
SELECT {{job_columns}} FROM jobs WHERE status = $2 AND (created_at, job_id) < ($3, $4)
ORDER BY created_at DESC, job_id DESC LIMIT $1

-- name: update_job
-- One write of the row. Status and the times that follow it keep their old
-- values unless the status moves. $2 is a JSON array of the statuses the move
-- may start from (instr: json_each costs more than the update). changes() is
-- the last INSERT, UPDATE or DELETE's count (a SELECT leaves it): the SELECT
-- answers, and the task follows, only when the job was written.
-- No RETURNING: on SQLite each one builds a temporary table.
UPDATE jobs SET status = $3,
    started_at = CASE WHEN $3 = 'running' THEN COALESCE(started_at, $8) ELSE started_at END,
    finished_at = CASE WHEN status <> $3 AND ($3 = 'completed' OR $3 = 'failed' OR $3 = 'cancelled') THEN $8
        ELSE finished_at END,
    progress = COALESCE($4, progress), current_step = COALESCE($5, current_step),
    output_file = COALESCE($6, output_file), error = COALESCE($7, error)
WHERE job_id = $1 AND instr($2, '"' || status || '"') > 0;
SELECT {{job_columns}} FROM jobs WHERE job_id = $1 AND changes() > 0;
{{render_task_follows_job}}

-- name: update_job_fields
-- update_job without a move (progress, step, output, error): no status to
-- write and no task to keep in step. $2 as in update_job; $3..$6 the fields.
UPDATE jobs SET progress = COALESCE($3, progress), current_step = COALESCE($4, current_step),
    output_file = COALESCE($5, output_file), error = COALESCE($6, error)
WHERE job_id = $1 AND instr($2, '"' || status || '"') > 0;
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
UPDATE jobs SET config = $2, status = 'queued' WHERE job_id = $1 RETURNING {{job_columns}};
INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
SELECT 'render', $1, 'queued', $3, $4, $4 WHERE (SELECT status FROM jobs WHERE job_id = $1) = 'queued'
    AND NOT EXISTS (SELECT 1 FROM tasks WHERE kind = 'render' AND job_id = $1 AND state IN ('queued', 'running'))

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

-- name: render_task_follows_job
-- A job moved outside the queue (update_job) keeps its one open render task
-- in step: the task takes the job's new status $3 (a running one without a
-- lease, so the rescue treats it as lost), or a queued or running job that
-- has none gets one. A worker's claim is untouched while the job stays running.
-- Runs right after the job's UPDATE (and a SELECT): changes() is its count.
-- The UPDATE counts the open task even when its state stays, so the INSERT
-- knows from changes() that there is none. The INSERT reads no tasks: an
-- INSERT that reads its own table copies its rows through a temporary table.
UPDATE tasks SET state = $3, worker_id = CASE WHEN state = $3 THEN worker_id END,
    lease_expires_at = CASE WHEN state = $3 THEN lease_expires_at END,
    updated_at = CASE WHEN state = $3 THEN updated_at ELSE $8 END
WHERE changes() > 0 AND kind = 'render' AND job_id = $1 AND (state = 'queued' OR state = 'running');
INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
SELECT 'render', $1, $3, $9, $8, $8 FROM jobs
WHERE changes() = 0 AND $3 IN ('queued', 'running') AND job_id = $1 AND status = $3

-- name: cancel_waiting_job
-- A preparing or queued job (the store checked, under the write lock), with its queued render task.
UPDATE jobs SET status = 'cancelled', finished_at = $2 WHERE job_id = $1;
UPDATE tasks SET state = 'cancelled', updated_at = $2 WHERE kind = 'render' AND job_id = $1 AND state = 'queued'

-- name: request_cancel
-- A running job: its worker learns at its next heartbeat.
UPDATE tasks SET cancel_requested = 1 WHERE kind = 'render' AND job_id = $1 AND state = 'running'

-- The task queue: the same lease protocol for every kind. A kind's own
-- statements (render_*, youtube_upload_*) say what its claim, progress,
-- finish and rescue do beside the task row, in the same transaction.

-- name: claim_task
-- The store runs this in a write transaction, so the SELECT and the UPDATE see
-- the same oldest queued task; the SELECT answers the attempt the UPDATE
-- writes. (No RETURNING: on SQLite each one builds a temporary table.)
SELECT id, job_id, attempt + 1, max_attempts FROM tasks WHERE kind = $1 AND state = 'queued' ORDER BY id LIMIT 1;
UPDATE tasks SET state = 'running', worker_id = $2, attempt = attempt + 1, lease_expires_at = $3,
    cancel_requested = 0, updated_at = $4
WHERE id = (SELECT id FROM tasks WHERE kind = $1 AND state = 'queued' ORDER BY id LIMIT 1)

-- name: task_guard
-- Every write of a claimed task names the task, the worker and the attempt: a
-- worker whose lease ran out (and whose task went to another) writes nothing.
id = $1 AND worker_id = $2 AND attempt = $3 AND state = 'running'

-- name: renew_task
UPDATE tasks SET lease_expires_at = $4 WHERE {{task_guard}};
SELECT cancel_requested FROM tasks WHERE id = $1 AND changes() > 0

-- name: finish_task
-- $5 is the new state, $7 the attempts the task has used (decided in Swift: FinishedAttempt).
UPDATE tasks SET state = $5, error = $6, attempt = $7, worker_id = NULL,
    lease_expires_at = NULL, updated_at = $4
WHERE {{task_guard}}

-- name: expired_tasks
-- Leases that ran out (or running tasks without one); where each goes is
-- decided in Swift (LostLease) and written by rescue_task.
SELECT id, job_id, attempt, max_attempts, cancel_requested FROM tasks
WHERE kind = $1 AND state = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < $2)

-- name: rescue_task
-- $3 the task's next state; guarded, so a lease renewed meanwhile is left alone.
UPDATE tasks SET state = $3, worker_id = NULL, lease_expires_at = NULL, updated_at = $2
WHERE id = $1 AND state = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < $2)

-- name: render_claimed
UPDATE jobs SET status = 'running', started_at = $2 WHERE job_id = $1 AND status = 'queued';
SELECT {{job_columns}} FROM jobs WHERE job_id = $1 AND changes() > 0

-- name: render_progress
UPDATE jobs SET progress = $4, current_step = $5 WHERE job_id = (SELECT job_id FROM tasks WHERE {{task_guard}});
SELECT cancel_requested FROM tasks WHERE {{task_guard}} AND changes() > 0

-- name: render_finish
-- $5 is the task's new state, which is also the job's; $8 the output, $9 the job;
-- $10 to $13 the job's move (JobMove): progress, error, finished_at, 1 to clear started_at.
{{finish_task}};
UPDATE jobs SET status = $5, progress = COALESCE($10, progress), output_file = COALESCE($8, output_file),
    error = COALESCE($11, error), finished_at = COALESCE($12, finished_at),
    started_at = CASE WHEN $13 = 1 THEN NULL ELSE started_at END
WHERE job_id = $9 AND status = 'running' AND changes() > 0;
SELECT 1 WHERE changes() > 0

-- name: render_rescued
-- The job's move (JobMove): $2 its status, $3 error and $4 finished_at (NULL keeps them).
UPDATE jobs SET status = $2, error = COALESCE($3, error), finished_at = COALESCE($4, finished_at)
WHERE job_id = $1 AND status = 'running'

-- name: youtube_upload_create
INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
VALUES ('youtube_upload', $1, 'queued', $3, $2, $2);
INSERT INTO youtube_upload_tasks (id, request, total_bytes) VALUES (last_insert_rowid(), $4, $5);
{{youtube_upload_view}} WHERE t.id = last_insert_rowid()

-- name: youtube_upload_progress
UPDATE tasks SET lease_expires_at = $4, updated_at = $5 WHERE {{task_guard}};
UPDATE youtube_upload_tasks SET session_url = COALESCE($6, session_url), bytes_sent = $7
WHERE id = $1 AND changes() > 0;
SELECT 1 WHERE changes() > 0

-- name: youtube_upload_finish
-- A completed upload is recorded in youtube_uploads in the same transaction.
{{finish_task}};
UPDATE youtube_upload_tasks SET video_id = COALESCE($8, video_id),
    bytes_sent = CASE WHEN $5 = 'completed' THEN total_bytes ELSE bytes_sent END
WHERE id = $1 AND changes() > 0;
{{youtube_upload_view}} WHERE t.id = $1 AND changes() > 0;
INSERT INTO youtube_uploads (job_id, video_id, video_url, title, description, privacy, tags, category, uploaded_at)
SELECT job_id, $8, $9, $10, $11, $12, $13, $14, $4 FROM tasks WHERE id = $1 AND $5 = 'completed' AND changes() > 0

-- name: suno_import_create
INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
VALUES ('suno_import', $1, 'queued', $3, $2, $2);
INSERT INTO playlist_import_tasks (id, url) VALUES (last_insert_rowid(), $4);
{{suno_import_view}} WHERE t.id = last_insert_rowid()

-- name: suno_import_progress
-- $6 songs in the playlist, $7 and $8 the JSON arrays of downloaded names and errors.
UPDATE tasks SET lease_expires_at = $4, updated_at = $5 WHERE {{task_guard}};
UPDATE playlist_import_tasks SET songs_total = $6, downloaded = $7, errors = $8 WHERE id = $1 AND changes() > 0;
SELECT 1 WHERE changes() > 0

-- name: suno_import_finish
{{finish_task}};
UPDATE playlist_import_tasks SET songs_total = COALESCE($8, songs_total), downloaded = COALESCE($9, downloaded),
    errors = COALESCE($10, errors)
WHERE id = $1 AND changes() > 0;
{{suno_import_view}} WHERE t.id = $1 AND changes() > 0

-- name: render_piece_create
INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
VALUES ('render_piece', $1, 'queued', $3, $2, $2);
INSERT INTO render_piece_tasks (id, plan, unit, cost) VALUES (last_insert_rowid(), $4, $5, $6);
{{render_piece_view}} WHERE t.id = last_insert_rowid()

-- name: render_piece_progress
UPDATE tasks SET lease_expires_at = $4, updated_at = $5 WHERE {{task_guard}};
SELECT 1 WHERE changes() > 0

-- name: render_piece_finish
-- $8 the bytes the piece's files hold, $9 the seconds it took to encode.
{{finish_task}};
UPDATE render_piece_tasks SET bytes = COALESCE($8, bytes), seconds = COALESCE($9, seconds)
WHERE id = $1 AND changes() > 0;
{{render_piece_view}} WHERE t.id = $1 AND changes() > 0

-- name: end_job_tasks
-- Every open task of kind $2 of job $1 ends cancelled; a worker running one
-- loses its claim (its next heartbeat finds out) and writes nothing more.
UPDATE tasks SET state = 'cancelled', worker_id = NULL, lease_expires_at = NULL, updated_at = $3
WHERE job_id = $1 AND kind = $2 AND state IN ('queued', 'running')
