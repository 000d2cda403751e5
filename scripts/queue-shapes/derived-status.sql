-- The derived-status design, not built: the claim writes only the task (the job
-- stays 'queued' and reads as running through its task); the finish deletes the
-- task and writes the job's outcome.
UPDATE tasks SET state='running', worker_id='w', attempt=attempt+1, lease_expires_at=now()+interval '60s', cancel_requested=false, updated_at=now() WHERE id=(SELECT id FROM tasks WHERE kind='render' AND state='queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id AS tid, job_id AS jid, attempt AS att
\gset
WITH done AS (DELETE FROM tasks WHERE id=:tid AND worker_id='w' AND attempt=:att AND state IS NOT DISTINCT FROM 'running' RETURNING job_id, updated_at),
moved AS (UPDATE jobs SET status='completed', progress=100, output_file='out.mp4', started_at=done.updated_at, finished_at=now() FROM done WHERE jobs.job_id=done.job_id AND jobs.status IS NOT DISTINCT FROM 'queued' RETURNING 1)
SELECT 1 FROM moved;
