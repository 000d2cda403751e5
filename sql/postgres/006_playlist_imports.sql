-- A playlist import (kind 'suno_import' in tasks): songs of a Suno playlist
-- downloaded into a job's music. What it got so far is kept with the task, so
-- an attempt after a lost worker skips the songs already there.
CREATE TABLE playlist_import_tasks (
    id          bigint PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    url         text NOT NULL,
    songs_total integer NOT NULL DEFAULT 0,
    downloaded  jsonb NOT NULL DEFAULT '[]',
    errors      jsonb NOT NULL DEFAULT '[]'
);
