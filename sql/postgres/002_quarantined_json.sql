-- Values that had to be JSON (jobs.config, youtube_uploads.tags) but were not,
-- as `yt-builder migrate` found them in a SQLite history: kept verbatim here,
-- while the row itself holds NULL. `row_key` is the row's id.
CREATE TABLE quarantined_json (
    table_name  text NOT NULL,
    row_key     text,
    column_name text NOT NULL,
    value       text NOT NULL,
    reason      text NOT NULL
);
