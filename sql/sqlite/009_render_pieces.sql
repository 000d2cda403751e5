-- A piece of a render (kind 'render_piece' in tasks): one distinct stretch of
-- picture or sound of a job's video, encoded by whichever worker claims it;
-- the job's render joins the pieces once all are done. `plan` names the plan
-- the piece belongs to (its fingerprint), so a later attempt of the job keeps
-- the pieces of the same plan and never joins a piece of another.
CREATE TABLE render_piece_tasks (
    id      INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    plan    TEXT NOT NULL,
    unit    TEXT NOT NULL,
    cost    REAL NOT NULL CHECK (cost >= 0),
    bytes   INTEGER,
    seconds REAL
);
