-- Render workers claim a job for a lease that their heartbeats renew. A job
-- whose lease ran out (its worker died) goes back to the queue, or fails after
-- its last attempt. A cancel of a running job is a request its worker sees at
-- its next heartbeat.
ALTER TABLE jobs ADD COLUMN worker_id TEXT;
ALTER TABLE jobs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN lease_expires_at TEXT;
ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1));

-- The queue in claim order, and the running jobs by lease: both small, so partial.
CREATE INDEX idx_jobs_queue ON jobs (job_id) WHERE status = 'queued';
CREATE INDEX idx_jobs_leases ON jobs (lease_expires_at) WHERE status = 'running';
