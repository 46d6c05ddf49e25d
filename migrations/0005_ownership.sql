-- Ownership, membership and the reasons regboard deletes copies (DESIGN
-- rules 1 and 3): what regboard itself recorded, never what a label says.

-- A namespace belongs to a project when regboard recorded it here (an admin
-- moved it in, or accepted its request). The namespace label mirrors it; a
-- label without a row is a request to join.
CREATE TABLE project_namespaces (
    namespace TEXT PRIMARY KEY NOT NULL,
    project TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX project_namespaces_project ON project_namespaces (project);

-- Join requests (a project label set outside regboard) an admin rejected:
-- no longer shown, never joined, until the label names another project.
CREATE TABLE rejected_join_requests (
    namespace TEXT NOT NULL,
    project TEXT NOT NULL,
    rejected_by TEXT NOT NULL,
    rejected_at TEXT NOT NULL,
    PRIMARY KEY (namespace, project)
);

-- Recorded reasons to delete copies of project registries: the registry
-- deleted through regboard (namespace NULL), or a namespace moved out of the
-- project through regboard (registry NULL). The reconciler deletes a copy
-- only when one of these explains it.
CREATE TABLE copy_removals (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    registry TEXT,
    namespace TEXT,
    reason TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    CHECK ((registry IS NULL) <> (namespace IS NULL))
);
CREATE UNIQUE INDEX copy_removals_registry ON copy_removals (project, registry) WHERE registry IS NOT NULL;
CREATE UNIQUE INDEX copy_removals_namespace ON copy_removals (project, namespace) WHERE namespace IS NOT NULL;

-- One-time steps of an upgrade, done at the first start of a new version.
CREATE TABLE upgrade_steps (
    name TEXT PRIMARY KEY NOT NULL,
    done_at TEXT NOT NULL
);
