-- One job through today's queue (claim_render, render_finish): each step writes
-- the task row and the job row.
WITH task AS (UPDATE tasks SET state='running', worker_id='w', attempt=attempt+1, lease_expires_at=now()+interval '60s', cancel_requested=false, updated_at=now() WHERE id=(SELECT id FROM tasks WHERE kind='render' AND state='queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, job_id, attempt),
job AS (UPDATE jobs SET status='running', started_at=now() WHERE job_id=(SELECT job_id FROM task) AND status IS NOT DISTINCT FROM 'queued' RETURNING job_id)
SELECT task.id AS tid, task.job_id AS jid, task.attempt AS att FROM task LEFT JOIN job ON true
\gset
WITH done AS (UPDATE tasks SET state='completed', error=NULL, worker_id=NULL, lease_expires_at=NULL, updated_at=now() WHERE id=:tid AND worker_id='w' AND attempt=:att AND state IS NOT DISTINCT FROM 'running' RETURNING job_id),
moved AS (UPDATE jobs SET status='completed', progress=100, output_file='out.mp4', finished_at=now() FROM done WHERE jobs.job_id=done.job_id AND jobs.status IS NOT DISTINCT FROM 'running' RETURNING 1)
SELECT 1 FROM moved;
