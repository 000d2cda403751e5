-- A playlist import (kind 'suno_import' in tasks): songs of a Suno playlist
-- downloaded into a job's music. What it got so far is kept with the task, so
-- an attempt after a lost worker skips the songs already there.
CREATE TABLE playlist_import_tasks (
    id          INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    url         TEXT NOT NULL,
    songs_total INTEGER NOT NULL DEFAULT 0,
    downloaded  TEXT NOT NULL DEFAULT '[]',
    errors      TEXT NOT NULL DEFAULT '[]'
);
