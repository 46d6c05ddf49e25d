-- Which ServiceAccounts each registry's pull Secret is attached to, in every
-- namespace it reaches (issue: pods that pull). What regboard added to a
-- ServiceAccount is recorded on the ServiceAccount itself, with a proof; this
-- table holds only the setting. scope is 'project' or 'namespace'; setting is
-- the JSON of the Attachment ({"mode":"default"}, {"mode":"named","accounts":[…]}).
CREATE TABLE registry_attachments (
    scope TEXT NOT NULL CHECK (scope IN ('project', 'namespace')),
    scope_name TEXT NOT NULL,
    registry TEXT NOT NULL,
    setting TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (scope, scope_name, registry)
);
