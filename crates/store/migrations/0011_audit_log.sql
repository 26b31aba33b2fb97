-- Version 11: the audit log (issue 11).
--
-- Append-only: the triggers below refuse any UPDATE or DELETE, as for
-- dossier events. Hash-chained: each entry holds the SHA-256 of the one
-- before it and its own (over the previous hash and its fields, as
-- comptoir-store's audit.rs writes them), so an entry altered or deleted
-- behind the triggers' back (sqlite3, a dropped trigger) is found by
-- `comptoir-ctl audit verify`. `at` is kept as the RFC 3339 text that was
-- hashed.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash      BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;
CREATE INDEX audit_log_kind ON audit_log (kind, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
