-- Free-text search over the audit log: a trigram index of the searchable
-- text of every event, so that `q` (text found anywhere in the event,
-- case-insensitively) reads a few index entries instead of every row.
--
-- The index only narrows: an event is a candidate when it holds every
-- trigram picked from q, then the LIKE of server/src/audit/query.rs decides,
-- so results are exactly what LIKE alone would return (see search.rs).
--
-- * contentless (content=''): one column, the searchable columns joined
--   by newlines; rowid = audit_events.id. Nothing is stored twice.
-- * detail=none: rowids only, no positions (about 230 bytes per event
--   instead of about 1,100 with positions); queries are ANDs of single
--   trigrams, never phrases.
-- * columnsize=0: no per-row sizes (they only serve ranking, unused).
-- * trigram tokenizer, case_sensitive 0: folds case (Unicode), a superset
--   of LIKE's ASCII-only folding.
--
-- New events are added by the statement that appends them
-- (server/src/audit/store.rs), not by a trigger: FTS5 writes out its
-- pending rows at every statement savepoint, which an INSERT with a trigger
-- opens, so a trigger made every event a new index segment (85 µs per
-- event in a 10,000-event transaction, against 16 µs).
--
-- audit_events is append-only, so rows are only ever added here. Rebuild
-- (after tampering, say): INSERT INTO audit_search(audit_search)
-- VALUES ('delete-all'), then the INSERT … SELECT at the end of this file.
CREATE VIRTUAL TABLE audit_search USING fts5(
    text,
    content = '',
    detail = none,
    columnsize = 0,
    tokenize = 'trigram case_sensitive 0'
);

-- Events logged before this migration, in id order (FTS5 appends rowids
-- in ascending order cheaply): the columns of the free-text LIKE in
-- server/src/audit/query.rs (SEARCHED), NULLs left out.
INSERT INTO audit_search (rowid, text)
SELECT id, concat_ws(char(10), actor_name, action, target_project, target_namespace, target_name,
    request_id, untrusted_source_addr, untrusted_user_agent, details)
FROM audit_events
ORDER BY id;
