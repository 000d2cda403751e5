-- The worker processes of a deployment, as each last said it was alive
-- (every 15 s): the operations view lists them with their running tasks.
CREATE TABLE workers (
    worker_id  text PRIMARY KEY,
    host       text NOT NULL,
    kinds      text NOT NULL,
    version    text NOT NULL,
    started_at timestamptz NOT NULL,
    seen_at    timestamptz NOT NULL
);
