-- The worker processes of a deployment, as each last said it was alive
-- (every 15 s): the operations view lists them with their running tasks.
CREATE TABLE workers (
    worker_id  TEXT PRIMARY KEY,
    host       TEXT NOT NULL,
    kinds      TEXT NOT NULL,
    version    TEXT NOT NULL,
    started_at TEXT NOT NULL,
    seen_at    TEXT NOT NULL
);
