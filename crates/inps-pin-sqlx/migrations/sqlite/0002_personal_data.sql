-- The person's data (R36), sealed under a key of the person's own: the facts stay in `event`
-- and `snapshot` in clear, the personal part of each beside them (NULL when there is none,
-- when the row was written with its personal data inside the facts, and once erased).
ALTER TABLE events ADD COLUMN personal BLOB;
ALTER TABLE accounts ADD COLUMN personal BLOB;

-- Each person's key, wrapped under the master key `key_id`, in a database file of its own
-- (attached as `person_keys_db`, beside the main file): a copy of the main file holds no key.
-- Erasure deletes the row, and with it every sealed copy of the person's data becomes
-- unreadable, in the main file, its write-ahead log and its backups alike.
CREATE TABLE person_keys_db.person_keys (
    codice_fiscale TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    wrapped BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
