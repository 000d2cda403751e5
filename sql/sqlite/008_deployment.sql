-- What every host of a deployment must agree on, recorded by the first host
-- that uses it: where jobs' files live ('files', an object store's
-- s3://bucket/prefix) and which key seals stored credentials
-- ('secret_key_fingerprint'). A host whose setting differs refuses to start
-- with a sentence, rather than deleting rows whose files it cannot see or
-- failing to read credentials another host sealed.
CREATE TABLE deployment (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
