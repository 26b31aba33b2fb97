-- Issue 11: the counters' audit logs at head office, and erasures applied
-- on the server.
--
-- One hash chain per counter (device): entry `seq` of a device's log, every
-- field as the counter hashed it (`at` and `detail` are the exact texts),
-- its hash and the previous one as the counter computed them. Checked
-- against the entry before it when it arrives; append-only (the triggers
-- below), so `comptoir-server audit verify` finds what was altered behind
-- their back. The device id 00000000-… is the server's own chain for a
-- store (the erasures it applied on that store's request).
CREATE TABLE audit_entries (
    store_code  TEXT NOT NULL,
    device_id   BLOB NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq > 0),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    detail      TEXT NOT NULL,
    prev_hash   BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash        BLOB NOT NULL CHECK (length(hash) = 32),
    received_at TEXT NOT NULL,
    PRIMARY KEY (store_code, device_id, seq)
) STRICT;
CREATE INDEX audit_entries_kind ON audit_entries (store_code, kind);

CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only');
END;

CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only');
END;

-- Customers erased on request (a counter's `customer.erased`): ids only.
-- Their earlier changes in the feed, their row in web_customers and the
-- free texts of their dossiers' events were redacted in the transaction
-- that stored the erasure; a change about them that arrives later is
-- redacted before it is stored.
CREATE TABLE erased_customers (
    customer_id BLOB PRIMARY KEY,
    change_id   BLOB NOT NULL,
    store_code  TEXT NOT NULL,
    erased_at   TEXT NOT NULL,
    applied_at  TEXT NOT NULL
) STRICT;

-- The dossiers of a customer, as their openings in the feed say (an
-- erasure redacts their events).
CREATE INDEX changes_opened_customer ON changes (json_extract(payload, '$.event.customer_id'))
    WHERE kind = 'dossier.event' AND json_extract(payload, '$.event.type') = 'opened';
