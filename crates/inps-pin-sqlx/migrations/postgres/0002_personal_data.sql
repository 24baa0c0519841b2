-- The person's data (R36), sealed under a key of the person's own: the facts stay in `event`
-- and `snapshot` in clear, the personal part of each beside them (NULL when there is none,
-- when the row was written with its personal data inside the facts, and once erased).
ALTER TABLE events ADD COLUMN personal BYTEA;
ALTER TABLE accounts ADD COLUMN personal BYTEA;

-- Each person's key, wrapped under the master key `key_id`. Erasure deletes the row, and with
-- it every sealed copy of the person's data becomes unreadable, in old tuple versions, the
-- write-ahead log and base backups alike.
CREATE TABLE person_keys (
    codice_fiscale TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    wrapped BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
