-- One job through e57aab1's queue: the claim and the finish each write the job row.
UPDATE jobs SET status='running', worker_id='w', attempt=attempt+1, lease_expires_at=now()+interval '60s', cancel_requested=false, started_at=now() WHERE job_id=(SELECT job_id FROM jobs WHERE status='queued' ORDER BY job_id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING job_id AS jid, attempt AS att
\gset
UPDATE jobs SET status='completed', progress=100, output_file='out.mp4', finished_at=now(), worker_id=NULL, lease_expires_at=NULL WHERE job_id=:jid AND worker_id='w' AND attempt=:att AND status='running';
