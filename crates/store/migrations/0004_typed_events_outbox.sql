-- Version 4: typed dossier events folded into the dossier, a hybrid logical
-- clock, one write path with an outbox (issue 8).

-- Each event carries its HLC timestamp (text that sorts in HLC order), the
-- counter (device) that made it, and its typed body (JSON of
-- comptoir_core::events::DossierEvent). Events written before this version
-- get their body once, when the database is first opened by this version
-- (Rust: crates/store/src/upgrade.rs); that is the only UPDATE ever allowed.
ALTER TABLE dossier_events ADD COLUMN hlc TEXT;
ALTER TABLE dossier_events ADD COLUMN device_id BLOB;
ALTER TABLE dossier_events ADD COLUMN body TEXT;

DROP TRIGGER dossier_events_are_append_only_update;
CREATE TRIGGER dossier_events_are_append_only_update BEFORE UPDATE ON dossier_events
WHEN OLD.body IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'dossier events are append-only'); END;

CREATE INDEX dossier_events_by_dossier_hlc ON dossier_events (dossier_id, hlc, id);
CREATE INDEX dossier_events_untyped ON dossier_events (dossier_id) WHERE body IS NULL;

-- Events the fold kept but could not apply (two counters acted while
-- apart): JSON list of comptoir_core::events::Conflict, NULL when none.
ALTER TABLE dossiers ADD COLUMN conflicts TEXT;

-- Every local change, in the same transaction as the change: the sync
-- envelope (comptoir_core::changes::ChangeEnvelope) the client pushes; the
-- row is removed once the server has acknowledged it.
CREATE TABLE outbox (
    id         BLOB PRIMARY KEY NOT NULL,
    kind       TEXT NOT NULL,
    entity_id  BLOB NOT NULL,
    store_code TEXT NOT NULL,
    device_id  BLOB NOT NULL,
    hlc        TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_by_hlc ON outbox (hlc, id);

-- The same order arriving twice (from its source: a till, the web shop, a
-- marketplace) is one order.
CREATE UNIQUE INDEX orders_by_source ON orders (channel, IFNULL(marketplace, ''), number_norm);
