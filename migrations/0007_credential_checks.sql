-- The last credential test of each host of each registry (issue 13, item 1):
-- only the verdict, when it was reached and the host. Never a credential:
-- verdict is the JSON of domain::credential::Verdict, whose texts are the
-- registry's own error message scrubbed of the credential. scope is
-- 'project' or 'namespace', as in registry_attachments.
CREATE TABLE credential_checks (
    scope TEXT NOT NULL CHECK (scope IN ('project', 'namespace')),
    scope_name TEXT NOT NULL,
    registry TEXT NOT NULL,
    host TEXT NOT NULL CHECK (length(host) <= 300),
    verdict TEXT NOT NULL CHECK (length(verdict) <= 2000),
    checked_unix INTEGER NOT NULL,
    PRIMARY KEY (scope, scope_name, registry, host)
);
