-- The record: every event of every account, under (codice fiscale, version). The primary key
-- is the compare-and-swap: whoever appends version v+1 first wins.
CREATE TABLE events (
    codice_fiscale TEXT NOT NULL,
    version BIGINT NOT NULL,
    event TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (codice_fiscale, version)
);

-- The cache: each account as of its latest event (postcard, in the crate's stored format),
-- with its next deadline for the ticker. Rebuilt from the events whenever it does not load.
CREATE TABLE accounts (
    codice_fiscale TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    format BIGINT NOT NULL,
    snapshot BLOB NOT NULL,
    next_deadline BIGINT,
    tick_lease BIGINT
);
CREATE INDEX accounts_next_deadline ON accounts (next_deadline) WHERE next_deadline IS NOT NULL;

-- What the carriers must take: sealed (encrypted) payloads, deleted once sent. The primary key
-- is the idempotency key the carrier is given.
CREATE TABLE outbox (
    codice_fiscale TEXT NOT NULL,
    version BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    key_id TEXT,
    payload BLOB,
    description TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    sent_at BIGINT,
    PRIMARY KEY (codice_fiscale, version, seq)
);
CREATE INDEX outbox_unsent ON outbox (next_attempt_at) WHERE sent_at IS NULL;

-- Sessions, by the SHA-256 of their token: the token itself is only in the client's hands.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    codice_fiscale TEXT NOT NULL,
    pin_generation BIGINT,
    trusted_device BIGINT NOT NULL,
    session TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (codice_fiscale);
CREATE INDEX sessions_expiry ON sessions (expires_at);
