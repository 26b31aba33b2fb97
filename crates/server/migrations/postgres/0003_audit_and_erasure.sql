-- Issue 11: the counters' audit logs at head office, and erasures applied
-- on the server.
--
-- One hash chain per counter (device): entry `seq` of a device's log, every
-- field as the counter hashed it (`at` and `detail` are the exact texts,
-- not timestamptz / jsonb, which would re-encode them), its hash and the
-- previous one as the counter computed them. Checked against the entry
-- before it when it arrives (under a transaction-scoped advisory lock on
-- the chain, so two instances never check against a stale head);
-- append-only (the trigger below), so `comptoir-server audit verify` finds
-- what was altered behind its back. The device id 00000000-… is the
-- server's own chain for a store (the erasures it applied on that store's
-- request).
CREATE TABLE audit_entries (
    store_code  text NOT NULL,
    device_id   uuid NOT NULL,
    seq         bigint NOT NULL CHECK (seq > 0),
    at          text NOT NULL,
    actor       text NOT NULL,
    kind        text NOT NULL,
    subject     text NOT NULL,
    detail      text NOT NULL,
    prev_hash   bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash        bytea NOT NULL CHECK (length(hash) = 32),
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_code, device_id, seq)
);
CREATE INDEX audit_entries_kind ON audit_entries (store_code, kind);

CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entries is append-only';
END
$$;
CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();

-- Customers erased on request (a counter's `customer.erased`): ids only.
-- Their earlier changes in the feed, their row in web_customers and the
-- free texts of their dossiers' events were redacted in the transaction
-- that stored the erasure; a change about them that arrives later is
-- redacted before it is stored.
CREATE TABLE erased_customers (
    customer_id uuid PRIMARY KEY,
    change_id   uuid NOT NULL,
    store_code  text NOT NULL,
    erased_at   timestamptz NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

-- The dossiers of a customer, as their openings in the feed say (an
-- erasure redacts their events).
CREATE INDEX changes_opened_customer ON changes ((payload->'event'->>'customer_id'))
    WHERE kind = 'dossier.event' AND payload->'event'->>'type' = 'opened';
