-- Render workers claim a job for a lease that their heartbeats renew. A job
-- whose lease ran out (its worker died) goes back to the queue, or fails after
-- its last attempt. A cancel of a running job is a request its worker sees at
-- its next heartbeat. Whoever queues a job sends NOTIFY yt_builder_jobs, a
-- hint that wakes idle workers; they poll as well.
ALTER TABLE jobs
    ADD COLUMN worker_id text,
    ADD COLUMN attempt integer NOT NULL DEFAULT 0,
    ADD COLUMN lease_expires_at timestamptz,
    ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false;

-- The queue in claim order, and the running jobs by lease: both small, so partial.
CREATE INDEX idx_jobs_queue ON jobs (job_id) WHERE status = 'queued';
CREATE INDEX idx_jobs_leases ON jobs (lease_expires_at) WHERE status = 'running';
