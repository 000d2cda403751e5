-- Histories that `yt-builder migrate --append` added to a database that
-- already held one. `fingerprint` is the source's per-table checksums (as
-- migrate computes them while reading), so running the same append again is
-- recognised and copies nothing. `append_id` is one more than the last
-- (appends take turns under migrate's lock), so a killed run leaves no gap.
CREATE TABLE migrate_appends (
    append_id   bigint PRIMARY KEY,
    source      text NOT NULL,
    fingerprint text NOT NULL UNIQUE,
    appended_at timestamptz NOT NULL,
    jobs        bigint NOT NULL,
    job_files   bigint NOT NULL,
    uploads     bigint NOT NULL
);

-- The id each appended row had in its source and the id it has here. Kept
-- after the rows themselves are deleted: it is the record of what came from
-- where.
CREATE TABLE migrate_append_ids (
    append_id  bigint NOT NULL REFERENCES migrate_appends (append_id) ON DELETE CASCADE,
    table_name text NOT NULL CHECK (table_name IN ('jobs', 'job_files', 'youtube_uploads')),
    source_id  bigint NOT NULL,
    target_id  bigint NOT NULL,
    PRIMARY KEY (append_id, table_name, source_id)
);
CREATE INDEX idx_migrate_append_ids_target ON migrate_append_ids (table_name, target_id);
