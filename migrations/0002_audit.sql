-- The audit log: one row per event, append-only and hash-chained.
--
-- hash = SHA-256(prev_hash || canonical row) (see server/src/audit/chain.rs);
-- the first row's prev_hash is 64 zeros. Ids are assigned by the writer as
-- the previous id + 1 inside a BEGIN IMMEDIATE transaction, so the chain is
-- linear and a gap in the ids means rows were removed.
--
-- No credential is ever stored here: details hold non-secret before/after
-- fields and a keyed fingerprint (HMAC-SHA256) of the credential.
CREATE TABLE audit_events (
    id                    INTEGER PRIMARY KEY NOT NULL,
    -- UTC, milliseconds: 2026-01-31T12:34:56.789Z (sorts as text).
    at                    TEXT NOT NULL,
    actor_kind            TEXT NOT NULL CHECK (actor_kind IN ('user', 'system', 'anonymous')),
    actor_id              INTEGER,
    -- The user's name, 'system:reconciler', or 'anonymous'.
    actor_name            TEXT NOT NULL,
    -- Client-supplied, so untrusted: control characters escaped, length capped.
    untrusted_source_addr TEXT,
    untrusted_user_agent  TEXT,
    request_id            TEXT,
    action                TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
    target_kind           TEXT NOT NULL,
    target_project        TEXT,
    target_namespace      TEXT,
    target_name           TEXT,
    outcome               TEXT NOT NULL CHECK (outcome IN ('success', 'denied', 'conflict', 'invalid', 'error')),
    status_code           INTEGER,
    -- JSON object, stored as the exact text that was hashed.
    details               TEXT NOT NULL CHECK (json_valid(details)),
    prev_hash             TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash                  TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
) STRICT;

-- Filters read newest first by id; each index ends with id so that an
-- equality filter plus ORDER BY id DESC is one index walk.
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_actor ON audit_events (actor_name, id);
CREATE INDEX audit_events_action ON audit_events (action, id);
CREATE INDEX audit_events_outcome ON audit_events (outcome, id);
CREATE INDEX audit_events_project ON audit_events (target_project, id);
CREATE INDEX audit_events_namespace ON audit_events (target_namespace, id);
CREATE INDEX audit_events_name ON audit_events (target_name, id);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE is not allowed');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: DELETE is not allowed');
END;
