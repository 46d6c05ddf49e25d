-- Accounts, teams and grants. Sessions live in tower-sessions' own table
-- (tower_sessions), created by its store at start.
--
-- No password is stored: password_hash is an argon2id PHC string. Users are
-- disabled, never deleted, so audit rows keep naming someone who existed.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 64),
    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    admin         INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    -- Raised by "end all sessions" and by disabling: a session records the
    -- epoch it was issued under and is void once the user's epoch moves on.
    session_epoch INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE teams (
    id         INTEGER PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 64),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE team_members (
    team_id    INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_admin INTEGER NOT NULL DEFAULT 0 CHECK (team_admin IN (0, 1)),
    PRIMARY KEY (team_id, user_id)
) STRICT;

CREATE INDEX team_members_user ON team_members (user_id);

-- A role on a project (all of its namespaces) or on one namespace, held by
-- one user or by every member of one team.
CREATE TABLE grants (
    id              INTEGER PRIMARY KEY NOT NULL,
    user_id         INTEGER REFERENCES users (id) ON DELETE CASCADE,
    team_id         INTEGER REFERENCES teams (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'owner')),
    scope_kind      TEXT NOT NULL CHECK (scope_kind IN ('project', 'namespace')),
    scope_name      TEXT NOT NULL CHECK (length(scope_name) BETWEEN 1 AND 253),
    granted_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    granted_by_name TEXT NOT NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK ((user_id IS NULL) <> (team_id IS NULL))
) STRICT;

-- One grant per subject and scope; granting again changes the role.
CREATE UNIQUE INDEX grants_subject_scope
    ON grants (coalesce(user_id, 0), coalesce(team_id, 0), scope_kind, scope_name);
CREATE INDEX grants_user ON grants (user_id);
CREATE INDEX grants_team ON grants (team_id);
